// Serves the AEC test page (renderer/aec-test, bundled with esbuild in memory) on 127.0.0.1 and
// launches Debian's Chromium against a PulseAudio room, with the microphone permission granted
// (no fake devices: the mic is the room's `mic` source, the speaker its `speaker` sink).
import { createServer, type Server } from 'node:http';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { PulseRoom } from './pulse-room';

const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--autoplay-policy=no-user-gesture-required',
];

/**
 * A wrapper that starts Chromium at a raised priority. On a desktop, rtkit gives audio threads
 * (Chromium's audio service, the sound server) realtime priority; headless there is no rtkit, and
 * on 2 shared cores a busy neighbour then starves the echo canceller (ERLE fell from ~60 to ~20 dB
 * at load 10). Where raising is not allowed, `nice` warns and runs Chromium as usual.
 */
async function niceChromium(room: PulseRoom, executable: string): Promise<string> {
  const wrapper = join(room.dir, 'chromium-nice.sh');
  await writeFile(wrapper, `#!/bin/sh\nexec nice -n -10 ${JSON.stringify(executable)} "$@"\n`);
  await chmod(wrapper, 0o755);
  return wrapper;
}

export class AecPage {
  private constructor(
    private readonly server: Server,
    readonly url: string,
    readonly browser: Browser,
    readonly context: BrowserContext,
    readonly page: Page,
  ) {}

  /** Builds the page, serves it (plus `files`: URL path → local file), opens it in Chromium. */
  static async open(room: PulseRoom, files: Record<string, string> = {}, extraArgs: string[] = []): Promise<AecPage> {
    const bundle = await build({
      entryPoints: [join(root, 'renderer/aec-test/aec-harness.ts')],
      bundle: true,
      format: 'esm',
      target: 'chrome120',
      write: false,
      sourcemap: 'inline',
      logLevel: 'silent',
    });
    const js = bundle.outputFiles[0]!.contents;
    const html = await readFile(join(root, 'renderer/aec-test/index.html'));
    const server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0]!;
      const send = (type: string, body: Uint8Array): void => {
        res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' });
        res.end(body);
      };
      if (path === '/' || path === '/index.html') send('text/html; charset=utf-8', html);
      else if (path === '/aec-harness.js') send('text/javascript', js);
      else if (files[path]) {
        readFile(files[path]!).then(
          (body) => send(path.endsWith('.wav') ? 'audio/wav' : 'application/octet-stream', body),
          () => res.writeHead(404).end(),
        );
      } else res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const address = server.address();
    const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/`;
    let browser: Browser | null = null;
    try {
      browser = await chromium.launch({
        executablePath: await niceChromium(room, process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium'),
        args: [...CHROMIUM_ARGS, ...extraArgs],
        env: room.env as Record<string, string>,
        // Playwright mutes headless audio by default: the echo path needs the speaker to play.
        ignoreDefaultArgs: ['--mute-audio'],
        timeout: 30_000,
      });
      const context = await browser.newContext();
      await context.grantPermissions(['microphone'], { origin: url.replace(/\/$/, '') });
      const page = await context.newPage();
      await page.goto(url);
      await page.waitForFunction(() => document.getElementById('status')?.textContent === 'ready', undefined, { timeout: 15_000 });
      return new AecPage(server, url, browser, context, page);
    } catch (error) {
      await browser?.close().catch(() => undefined);
      await new Promise<void>((r) => server.close(() => r()));
      throw error;
    }
  }

  async close(): Promise<void> {
    await this.browser.close().catch(() => undefined);
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}
