// The audience page built into a temporary folder and a real Chromium to open it, for the viewer
// page specs; `close()` closes the browser and removes the build.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { buildViewer } from '../../../scripts/build-viewer';

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--autoplay-policy=no-user-gesture-required'];

export interface ViewerBrowser {
  /** Where the page was built (`viewer: { distDir }` of the test server). */
  readonly distDir: string;
  readonly browser: Browser;
  close(): Promise<void>;
}

export async function startViewerBrowser(prefix: string): Promise<ViewerBrowser> {
  const distDir = mkdtempSync(path.join(os.tmpdir(), prefix));
  await buildViewer(distDir);
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  return {
    distDir,
    browser,
    async close() {
      await browser.close();
      rmSync(distDir, { recursive: true, force: true });
    },
  };
}
