/**
 * `npm run web [-- <model file>]`: starts browser mode and prints the URL with its launch token.
 * Options: --port <n> (default: a free port), --data-dir <dir>, --open (open the default browser),
 * --json (print {url, origin, token, port[, modelId]} as one line, for scripts and the e2e fixture).
 * A model file given as an argument is opened before the URL is printed, and the page shows it.
 *
 * Mistakes on the command line get one sentence on stderr, never a stack trace. Exit codes follow the CLI's:
 * 1 the host could not start (port in use, …), 2 usage, 3 the model file given could not be opened.
 */
// First: onnxruntime must see ORT_DISABLE_TELEMETRY before it loads (see no-telemetry.ts).
import '../no-telemetry.ts';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { tokenHeader } from '../security/token.ts';
import { defaultRendererDir, startWebHost, type WebHost } from './host.ts';
import { openInBrowser } from './open-in-browser.ts';

const exitCodes = { hostFailed: 1, usage: 2, modelUnusable: 3 } as const;
const optionsHelp = '--port <n>, --data-dir <dir>, --open and --json';
const usage = `Usage: npm run web -- [model file] [--port <n>] [--data-dir <dir>] [--open] [--json]`;

function fail(message: string, code: number): never {
  console.error(`modeldock: ${message}`);
  process.exit(code);
}

interface StartOptions {
  port: number;
  dataDir?: string;
  open: boolean;
  json: boolean;
  modelPath?: string;
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      port: { type: 'string' },
      'data-dir': { type: 'string' },
      open: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
}

function readCommandLine(argv: string[]): StartOptions {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    fail(describeArgumentError(error), exitCodes.usage);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(usage);
    process.exit(0);
  }
  if (positionals.length > 1) {
    fail(
      `give at most one model file, not ${positionals.length} (${positionals.join(', ')}).`,
      exitCodes.usage,
    );
  }
  const [model] = positionals;
  return {
    port: values.port === undefined ? 0 : readPort(values.port),
    dataDir: values['data-dir'],
    open: values.open,
    json: values.json,
    // `npm run web` runs in the package folder; INIT_CWD is where the user typed the command.
    modelPath: model === undefined ? undefined : path.resolve(process.env.INIT_CWD ?? process.cwd(), model),
  };
}

function readPort(text: string): number {
  const port = /^\d{1,5}$/.test(text) ? Number(text) : Number.NaN;
  if (!(port >= 0 && port <= 65535)) {
    fail(
      `--port must be a whole number from 1 to 65535, not "${text}" (leave it out for a free port).`,
      exitCodes.usage,
    );
  }
  return port;
}

/** node:util's parseArgs errors, as one sentence in our words (its own messages suggest `--` tricks). */
function describeArgumentError(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  const option = /'(-[^' ]+)/.exec(message)?.[1] ?? 'an option';
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    return `unknown option ${option}; the options are ${optionsHelp}.`;
  }
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    return /does not take an argument/.test(message)
      ? `${option} takes no value.`
      : `${option} needs a value.`;
  }
  return `${message} (${usage}).`;
}

function describeListenError(error: unknown, port: number): string {
  const code = (error as { code?: unknown }).code;
  if (code === 'EADDRINUSE')
    return `port ${port} is in use; pick another with --port or leave it out for a free one.`;
  if (code === 'EACCES') {
    return `port ${port} needs more privileges than this user has; pick one above 1023 with --port or leave it out for a free one.`;
  }
  return `browser mode could not start: ${error instanceof Error ? error.message : String(error)}.`;
}

/** Opens the model through the host's own API, so it goes through the same model service as the page. */
async function openModelAtStart(host: WebHost, modelPath: string): Promise<string> {
  const response = await fetch(`${host.origin}/api/call/model.open`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', [tokenHeader]: host.token },
    body: JSON.stringify({ path: modelPath }),
  });
  const result = (await response.json()) as
    | { ok: true; value: { modelId: string } }
    | { ok: false; error: { message: string } };
  if (!result.ok) {
    await host.close();
    fail(`could not open the model file: ${result.error.message}`, exitCodes.modelUnusable);
  }
  return result.value.modelId;
}

const options = readCommandLine(process.argv.slice(2));

if (!existsSync(path.join(defaultRendererDir, 'index.html'))) {
  // A fresh checkout has no build yet; build the renderer once so `npm run web` just works.
  console.error('[modeldock] building the app (first run)…');
  const built = spawnSync('npx', ['vite', 'build', '--logLevel', 'warn'], { stdio: 'inherit' });
  if (built.status !== 0) process.exit(1);
}

let host: WebHost;
try {
  host = await startWebHost({
    port: options.port,
    dataDir: options.dataDir,
    // With a model, the browser opens only once the model is open and the URL names it (below).
    open: options.open && !options.modelPath,
  });
} catch (error) {
  fail(describeListenError(error, options.port), exitCodes.hostFailed);
}

let url = host.url;
let modelId: string | undefined;
if (options.modelPath) {
  modelId = await openModelAtStart(host, options.modelPath);
  // The page shows the model named in ?model= (renderer/app/App.tsx); the token stays in the fragment.
  url = `${host.origin}/?model=${encodeURIComponent(modelId)}#token=${host.token}`;
  if (options.open) openInBrowser(url);
}

if (options.json) {
  console.log(JSON.stringify({ url, origin: host.origin, token: host.token, port: host.port, modelId }));
} else {
  if (options.modelPath) console.log(`Opened ${options.modelPath}.`);
  console.log(`ModelDock is running in browser mode: ${url}`);
  console.log('Open that address (it carries this launch’s token). Press Ctrl+C to stop.');
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    host.close().finally(() => process.exit(0));
  });
}
