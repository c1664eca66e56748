// Prints {executablePath, libraryPath} for the Chromium inside the @sparticuz/chromium package (see browser.ts).
// The package unpacks its binary into the temp folder; the NSS/NSPR/expat libraries it needs, which a machine
// with only Node may lack, are in its al2023.tar.br, which it unpacks only on Amazon Linux: unpacked here too.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { brotliDecompressSync } from 'node:zlib';
import chromium from '@sparticuz/chromium';
import { x } from 'tar';

const executablePath = await chromium.executablePath();
const libraryDir = path.join(os.tmpdir(), 'modeldock-chromium-libs');
if (!existsSync(path.join(libraryDir, 'lib', 'libnss3.so'))) {
  // The package exports only its entry (build/<format>/index.*), two folders below its root.
  const entry = createRequire(import.meta.url).resolve('@sparticuz/chromium');
  const packageDir = path.resolve(path.dirname(entry), '../..');
  const archive = brotliDecompressSync(readFileSync(path.join(packageDir, 'bin', 'al2023.tar.br')));
  mkdirSync(libraryDir, { recursive: true });
  const extract = x({ cwd: libraryDir });
  await new Promise((resolve, reject) => {
    extract.on('finish', resolve).on('error', reject);
    extract.end(archive);
  });
}
process.stdout.write(JSON.stringify({ executablePath, libraryPath: path.join(libraryDir, 'lib') }));
