// Entry of the batch worker thread. Node 20 does not apply `--import` loaders given in a Worker's
// execArgv, so the worker registers tsx itself (as bin/modeldock.mjs does without a bundle) and loads the
// TypeScript engine. Plain JS, so it starts the same under tsx, vitest and the Electron build.
import { register } from 'tsx/esm/api';

register();
await import('./score-worker.ts');
