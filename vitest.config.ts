import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // The bundles (dist/cli.cjs, dist/<worker>.cjs) are built first; in-process tests then start the built
    // workers too (main/workers/start-worker.ts), as the CLI and the app do.
    globalSetup: ['tests/global-setup.ts'],
    env: { MODELDOCK_WORKERS: 'built' },
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
