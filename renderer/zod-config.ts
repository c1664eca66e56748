import { z } from 'zod';

// Our CSP forbids eval. zod compiles object parsers with `new Function` when it may, and probes for that when
// a schema is created — a CSP violation report each time. Imported first by main.tsx, before any schema exists.
z.config({ jitless: true });
