// The Playwright fixture every console spec uses: a fresh link-mic server and the studios the
// test asks for, each with its console open in its own browser context; all stopped (by PID)
// when the test ends. Screenshots go to e2e/artifacts/<spec>/<step>.png (git-ignored).
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { test as base, type Page } from '@playwright/test';
import { LinkMicServerProcess, startStudio, type StudioHost } from './helpers/cluster';
import { REPO_ROOT } from './helpers/child';

export interface ConsoleHandle {
  readonly studio: StudioHost;
  readonly page: Page;
}

export interface Cluster {
  readonly server: LinkMicServerProcess;
  /** Starts a studio signed in to the server and opens its console. */
  console(name: string): Promise<ConsoleHandle>;
  /** Saves a screenshot of `page` as e2e/artifacts/<spec>/<step>.png. */
  shot(page: Page, step: string): Promise<void>;
}

export const test = base.extend<{ cluster: Cluster }>({
  cluster: async ({ browser }, use, testInfo) => {
    // Several studios and players on a shared 2-core machine: allow for a slow minute.
    testInfo.setTimeout(Math.max(testInfo.timeout, 180_000));
    const server = new LinkMicServerProcess();
    await server.start();
    const studios: StudioHost[] = [];
    const contexts: Array<{ close(): Promise<void> }> = [];
    const artifacts = path.join(REPO_ROOT, 'e2e/artifacts', path.basename(testInfo.file, '.spec.ts'));
    await mkdir(artifacts, { recursive: true });
    const cluster: Cluster = {
      server,
      async console(name) {
        const studio = await startStudio(server, name);
        studios.push(studio);
        const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
        contexts.push(context);
        const page = await context.newPage();
        page.on('pageerror', (error) => console.log(`[${name} page error] ${error.message}`));
        page.on('console', (message) => {
          if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) console.log(`[${name} console] ${message.text()}`);
        });
        await page.goto(studio.url);
        await page.getByTestId('console').waitFor();
        return { studio, page };
      },
      async shot(page, step) {
        await page.screenshot({ path: path.join(artifacts, `${step}.png`) });
      },
    };
    try {
      await use(cluster);
    } finally {
      for (const context of contexts) await context.close().catch(() => undefined);
      for (const studio of studios) await studio.stop().catch(() => undefined);
      await server.stop();
    }
  },
});

export { expect } from '@playwright/test';
