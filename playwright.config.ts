// End-to-end specs (scripts/test.sh runs `npx playwright test` when this file exists).
//   chromium: the console in Debian's Chromium against the web host (e2e/*.spec.ts)
//   electron: the desktop shell through Playwright's _electron (e2e/electron/*.spec.ts); skipped
//             with a message where no Electron binary is installed
import { defineConfig } from '@playwright/test';

const chromiumPath = process.env['LINKMIC_CHROMIUM'] ?? '/usr/bin/chromium';

export default defineConfig({
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
        browserName: 'chromium',
        launchOptions: {
          executablePath: chromiumPath,
          args: ['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', '--autoplay-policy=no-user-gesture-required', '--no-sandbox'],
        },
      },
    },
    {
      name: 'electron',
      testMatch: /electron[\\/].*\.spec\.ts$/,
    },
  ],
});
