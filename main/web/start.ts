/**
 * `npm run web`: starts browser mode and prints the URL with its launch token.
 * Options: --port <n> (default: a free port), --data-dir <dir>, --open (open the default browser),
 * --json (print {url, origin, token, port} as one line, for scripts and the e2e fixture).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { defaultRendererDir, startWebHost } from './host.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    'data-dir': { type: 'string' },
    open: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
});

if (!existsSync(path.join(defaultRendererDir, 'index.html'))) {
  // A fresh checkout has no build yet; build the renderer once so `npm run web` just works.
  console.error('[modeldock] building the app (first run)…');
  const built = spawnSync('npx', ['vite', 'build', '--logLevel', 'warn'], { stdio: 'inherit' });
  if (built.status !== 0) process.exit(1);
}

const host = await startWebHost({
  port: values.port ? Number(values.port) : 0,
  dataDir: values['data-dir'],
  open: values.open,
});

if (values.json) {
  console.log(JSON.stringify({ url: host.url, origin: host.origin, token: host.token, port: host.port }));
} else {
  console.log(`ModelDock is running in browser mode: ${host.url}`);
  console.log('Open that address (it carries this launch’s token). Press Ctrl+C to stop.');
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    host.close().finally(() => process.exit(0));
  });
}
