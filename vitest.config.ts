import { defineConfig } from 'vitest/config';

// One runner for unit and integration tests (real ffmpeg, real origin, real WebSockets).
// Two cores: run at most two files at once; media tests are long, so generous timeouts.
export default defineConfig({
  test: {
    include: ['{common,node,server,main,preload,renderer,scripts}/test/**/*.test.{ts,tsx}'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 30_000,
    reporters: ['default'],
  },
});
