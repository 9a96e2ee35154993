// The Playwright fixture every console spec uses: a fresh link-mic server and the studios the
// test asks for, each with its console open; all stopped (by PID) when the test ends.
// Screenshots go to e2e/artifacts/<spec>/<step>.png (git-ignored).
//
// Where a console runs is the project's `consoleHost` option, so the same specs cover both shells:
//   'web'      (chromium project): a studio web host per console, opened in its own context of
//              Debian's Chromium (launched once per worker, on first use);
//   'electron' (electron-console project): the desktop app per console through Playwright's
//              _electron, its window as the page; the test skips with "no Electron binary
//              here: …" where there is none.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { test as base, type Browser, type Page } from '@playwright/test';
import { LinkMicServerProcess, startStudio, type StudioHost } from './helpers/cluster';
import { REPO_ROOT } from './helpers/child';
import { electronSkipReason, startElectronStudio } from './helpers/electron-studio';

export type ConsoleHost = 'web' | 'electron';

export interface ConsoleHostOptions {
  /** Which shell runs each console: the web host in Chromium, or the Electron app. */
  readonly consoleHost: ConsoleHost;
}

/** Per-spec options (`test.use({ serverArgs: [...] })`). */
export interface ServerOptions {
  /** More flags for the spec's link-mic server (`server/cli.ts`), e.g. a test-only battle length. */
  readonly serverArgs: readonly string[];
}

export interface ConsoleHandle {
  readonly studio: StudioHost;
  readonly page: Page;
}

export interface Cluster {
  readonly server: LinkMicServerProcess;
  /** Which shell the consoles run in (for the rare step that differs). */
  readonly host: ConsoleHost;
  /** Starts a studio signed in to the server and opens its console. */
  console(name: string): Promise<ConsoleHandle>;
  /** Opens the audience page /watch/{room} in its own browser context, in `locale` (the page follows the browser's language). */
  viewer(roomId: string, options?: { locale?: string; name?: string }): Promise<Page>;
  /** Saves a screenshot of `page` as e2e/artifacts/<spec>/<step>.png (…/electron/… for the app). */
  shot(page: Page, step: string): Promise<void>;
}

/** The electron-console skip reason is printed once per worker, not once per spec. */
let skipNoted = false;

interface WorkerFixtures {
  /** The configured browser, launched on first call (never in the electron-console project). */
  lazyBrowser: () => Promise<Browser>;
}

export const test = base.extend<ConsoleHostOptions & ServerOptions & { cluster: Cluster }, WorkerFixtures>({
  consoleHost: ['web', { option: true }],
  serverArgs: [[], { option: true }],
  lazyBrowser: [
    async ({ playwright, browserName }, use) => {
      let launched: Promise<Browser> | undefined;
      // playwright[browserName].launch() takes the project's launchOptions (as the built-in `browser` does).
      await use(() => (launched ??= playwright[browserName].launch()));
      if (launched) await (await launched).close();
    },
    { scope: 'worker', timeout: 0 },
  ],
  cluster: async ({ consoleHost, serverArgs, lazyBrowser, playwright }, use, testInfo) => {
    if (consoleHost === 'electron') {
      const reason = electronSkipReason();
      if (reason !== null && !skipNoted) console.log(`[electron-console] skipping: ${reason}`);
      skipNoted ||= reason !== null;
      testInfo.skip(reason !== null, reason ?? '');
    }
    // Several studios and players on a shared 2-core machine: allow for a slow minute.
    testInfo.setTimeout(Math.max(testInfo.timeout, 180_000));
    const server = new LinkMicServerProcess(serverArgs);
    await server.start();
    const studios: StudioHost[] = [];
    const closers: Array<() => Promise<void>> = [];
    const spec = path.basename(testInfo.file, '.spec.ts');
    const artifacts = path.join(REPO_ROOT, 'e2e/artifacts', ...(consoleHost === 'electron' ? ['electron', spec] : [spec]));
    await mkdir(artifacts, { recursive: true });
    const watch = (name: string, page: Page): void => {
      page.on('pageerror', (error) => console.log(`[${name} page error] ${error.message}`));
      page.on('console', (message) => {
        if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) console.log(`[${name} console] ${message.text()}`);
      });
    };
    const openWeb = async (name: string): Promise<ConsoleHandle> => {
      const studio = await startStudio(server, name);
      studios.push(studio);
      const context = await (await lazyBrowser()).newContext({ viewport: { width: 1280, height: 800 } });
      closers.push(() => context.close());
      const page = await context.newPage();
      watch(name, page);
      await page.goto(studio.url);
      return { studio, page };
    };
    const openElectron = async (name: string): Promise<ConsoleHandle> => {
      const { studio, page } = await startElectronStudio(server, name);
      studios.push(studio);
      watch(name, page);
      return { studio, page };
    };
    // Viewer pages run in a browser: the project's (web consoles), or Debian's Chromium beside the Electron app.
    let viewerBrowser: Promise<Browser> | undefined;
    const browserForViewers = (): Promise<Browser> => {
      if (consoleHost !== 'electron') return lazyBrowser();
      viewerBrowser ??= playwright.chromium.launch({ executablePath: process.env['LINKMIC_CHROMIUM'] ?? '/usr/bin/chromium', args: ['--no-sandbox', '--autoplay-policy=no-user-gesture-required'] });
      return viewerBrowser;
    };
    const cluster: Cluster = {
      server,
      host: consoleHost,
      async console(name) {
        const handle = consoleHost === 'electron' ? await openElectron(name) : await openWeb(name);
        await handle.page.getByTestId('console').waitFor();
        return handle;
      },
      async viewer(roomId, options = {}) {
        const context = await (await browserForViewers()).newContext({ viewport: { width: 450, height: 800 }, locale: options.locale ?? 'en-US' });
        closers.push(() => context.close());
        const page = await context.newPage();
        watch(options.name ?? `viewer ${roomId}`, page);
        await page.goto(`${server.httpUrl}/watch/${encodeURIComponent(roomId)}`);
        return page;
      },
      async shot(page, step) {
        await page.screenshot({ path: path.join(artifacts, `${step}.png`) });
      },
    };
    try {
      await use(cluster);
    } finally {
      for (const close of closers) await close().catch(() => undefined);
      if (viewerBrowser) await (await viewerBrowser.catch(() => null))?.close().catch(() => undefined);
      for (const studio of studios) await studio.stop().catch(() => undefined);
      await server.stop();
    }
  },
});

export { expect } from '@playwright/test';
