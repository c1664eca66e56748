// Renders assets/icon.svg into the icons electron-builder reads from build/:
//   build/icon.png        1024×1024, macOS (electron-builder makes the .icns from it)
//   build/icon.ico        Windows, 16–256 px in one file
//   build/icons/NxN.png   Linux hicolor sizes for the AppImage and deb
// Run `npm run icons` after editing the SVG and commit the results; `--check` fails when they are stale.
import fs from 'node:fs';
import path from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import pngToIco from 'png-to-ico';

const root = path.resolve(import.meta.dirname, '..');
const SOURCE_SVG = path.join(root, 'assets', 'icon.svg');
const BUILD_DIR = path.join(root, 'build');
export const LINUX_SIZES = [16, 32, 48, 64, 128, 256, 512] as const;
export const ICO_SIZES = [16, 24, 32, 48, 64, 128, 256] as const;
const MAC_SIZE = 1024;

export function renderPng(svg: string, size: number): Buffer {
  const resvg = new Resvg(svg, { fitTo: { mode: 'width', value: size }, background: 'rgba(0,0,0,0)' });
  return resvg.render().asPng();
}

/** Every generated file, relative to build/, with its bytes. */
export async function renderIcons(svg: string): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  files.set('icon.png', renderPng(svg, MAC_SIZE));
  for (const size of LINUX_SIZES) files.set(path.join('icons', `${size}x${size}.png`), renderPng(svg, size));
  // Each ICO size rendered from the vector, not downscaled from 256: small sizes stay crisp.
  files.set('icon.ico', await pngToIco(ICO_SIZES.map((size) => renderPng(svg, size))));
  return files;
}

async function main(): Promise<number> {
  const check = process.argv.includes('--check');
  const files = await renderIcons(fs.readFileSync(SOURCE_SVG, 'utf8'));
  const stale: string[] = [];
  for (const [relative, bytes] of files) {
    const target = path.join(BUILD_DIR, relative);
    const current = fs.existsSync(target) ? fs.readFileSync(target) : null;
    if (current?.equals(bytes)) continue;
    if (check) {
      stale.push(relative);
    } else {
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, bytes);
      console.log(`wrote build/${relative} (${bytes.length} bytes)`);
    }
  }
  if (stale.length > 0) {
    console.error(`Icons are out of date with assets/icon.svg: ${stale.join(', ')}. Run npm run icons.`);
    return 1;
  }
  if (check) console.log(`${files.size} icons match assets/icon.svg`);
  return 0;
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === import.meta.filename) {
  process.exitCode = await main();
}
