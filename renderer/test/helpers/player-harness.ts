// Chromium harness for the player tests: the real origin, a live timestamp-block source, a stall
// proxy in front of the origin, the Vite-built player page and Debian's Chromium via playwright-core.
import { chromium, type Browser, type Page } from 'playwright-core';
import { playUrls, startOrigin, type TestOrigin } from '../../../bench/helpers/origin';
import { servePlayerPage, type PlayerPage } from '../../../bench/helpers/player-page';
import { StallProxy } from '../../../bench/helpers/stall-proxy';
import { TimestampSource } from '../../../bench/helpers/timestamp-source';
import type {} from '../../../renderer/player/bench-page/bench-api';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--autoplay-policy=no-user-gesture-required',
];

export interface BenchSnapshot {
  readonly samples: { at: number; ageMs: number; counter: number }[];
  readonly unreadable: number;
  readonly events: { at: number; type: string; detail: unknown }[];
  readonly stats: Record<string, unknown> | null;
}

export class PlayerHarness {
  origin!: TestOrigin;
  proxy!: StallProxy;
  source!: TimestampSource;
  private page!: PlayerPage;
  private browser!: Browser;
  private readonly tabs: Page[] = [];

  async start(streamCode: string): Promise<void> {
    this.origin = await startOrigin();
    this.proxy = new StallProxy({ host: '127.0.0.1', port: this.origin.httpPort });
    await this.proxy.listen();
    this.source = new TimestampSource({ rtmpUrl: this.origin.pushUrl(streamCode) });
    this.source.start();
    this.page = await servePlayerPage();
    this.browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  }

  /** Opens a player page on `streamCode` through the stall proxy. */
  /** Opens the bench page playing `streamCode`; `query` adds bench-page parameters (e.g. `mediaWorker=0`). */
  async open(streamCode: string, options: { player?: 'link' | 'audience'; transport?: 'http' | 'ws'; query?: string } = {}): Promise<Page> {
    const urls = playUrls(this.proxy.port, streamCode, options.player === 'audience' ? 'audience' : 'link');
    const tab = await this.browser.newPage();
    tab.on('pageerror', (error) => console.error(`player page: ${error.message}`));
    const extra = options.query ? `&${options.query}` : '';
    await tab.goto(`${this.page.url}?player=${options.player ?? 'link'}&url=${encodeURIComponent(options.transport === 'ws' ? urls.ws : urls.http)}${extra}`);
    this.tabs.push(tab);
    return tab;
  }

  /** Stops a tab's players and closes it (a test that opened several tabs leaves the machine quiet). */
  async closeTab(tab: Page): Promise<void> {
    await tab.evaluate(() => window.__bench?.close()).catch(() => undefined);
    await tab.close().catch(() => undefined);
    const at = this.tabs.indexOf(tab);
    if (at >= 0) this.tabs.splice(at, 1);
  }

  async close(): Promise<void> {
    for (const tab of this.tabs) await tab.evaluate(() => window.__bench?.close()).catch(() => undefined);
    await this.browser?.close().catch(() => undefined);
    await this.source?.stop();
    await this.proxy?.close();
    await this.page?.close();
    await this.origin?.close();
  }
}

export async function snapshot(tab: Page): Promise<BenchSnapshot> {
  return tab.evaluate(() => {
    const bench = window.__bench!;
    return {
      samples: bench.samples.slice(),
      unreadable: bench.unreadable,
      events: bench.events.slice(),
      stats: bench.stats() as Record<string, unknown> | null,
    };
  });
}

/** Polls the page until `check` holds (bounded by `timeoutMs`); returns the last snapshot. */
export async function waitFor(tab: Page, check: (s: BenchSnapshot) => boolean, timeoutMs: number, what: string): Promise<BenchSnapshot> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const s = await snapshot(tab);
    if (check(s)) return s;
    if (Date.now() > until) {
      throw new Error(`timed out waiting for ${what}; stats ${JSON.stringify(s.stats)}; events ${JSON.stringify(s.events.slice(-10))}`);
    }
    await new Promise((ok) => setTimeout(ok, 200));
  }
}
