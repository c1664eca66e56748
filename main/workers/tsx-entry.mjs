// Development entry of every worker thread (start-worker.ts): Node 20 ignores `--import` in a Worker's
// execArgv, so the worker registers tsx itself and then loads its TypeScript entry, whose file URL
// start-worker.ts appends as the last argument. Built bundles never come here.
import { register } from 'tsx/esm/api';

register();
await import(process.argv[process.argv.length - 1] ?? '');
