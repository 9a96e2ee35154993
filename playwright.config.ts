// End-to-end specs (scripts/test.sh runs `npx playwright test` when this file exists).
//   chromium:         the console specs (e2e/*.spec.ts) in Debian's Chromium against the web host
//   electron-console: the same console specs, each console the desktop app through _electron
//                     (fixtures.ts, consoleHost 'electron'); skipped with "no Electron binary here: …"
//   electron:         the desktop shell's hardening (e2e/electron/*.spec.ts); skipped likewise
import { defineConfig } from '@playwright/test';
import type { ConsoleHostOptions } from './e2e/fixtures';

const chromiumPath = process.env['LINKMIC_CHROMIUM'] ?? '/usr/bin/chromium';

export default defineConfig<ConsoleHostOptions>({
  testDir: 'e2e',
  outputDir: 'e2e/artifacts/results',
  workers: 1,
  fullyParallel: false,
  forbidOnly: !!process.env['CI'],
  retries: 0,
  timeout: 120_000,
  expect: { timeout: 20_000 },
  reporter: [['list']],
  use: {
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
  projects: [
    {
      name: 'chromium',
      testIgnore: /electron[\\/]/,
      use: {
        consoleHost: 'web',
        browserName: 'chromium',
        launchOptions: {
          executablePath: chromiumPath,
          args: ['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', '--autoplay-policy=no-user-gesture-required', '--no-sandbox'],
        },
      },
    },
    {
      name: 'electron-console',
      testIgnore: /electron[\\/]/,
      use: { consoleHost: 'electron' },
    },
    {
      name: 'electron',
      testMatch: /electron[\\/].*\.spec\.ts$/,
    },
  ],
});
