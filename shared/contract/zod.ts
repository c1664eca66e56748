import { z } from 'zod';

// The renderer's CSP forbids eval. zod probes `new Function` whenever an object schema is created unless
// `jitless` is set, and the bundler may evaluate these schemas before any app code runs, so the setting
// lives here, before the first schema. Every contract and renderer module takes `z` from this file.
z.config({ jitless: true });

export { z };
