// Builds the player bench/test page (renderer/player/bench-page) with Vite into a temporary folder
// and serves it from 127.0.0.1 on an ephemeral port (WebCodecs needs a secure context: localhost).
import { createServer, type Server } from 'node:http';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const PAGE_ROOT = fileURLToPath(new URL('../../renderer/player/bench-page/', import.meta.url));
const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.map': 'application/json' };

export interface PlayerPage {
  /** e.g. http://127.0.0.1:40123/index.html */
  readonly url: string;
  close(): Promise<void>;
}

export async function servePlayerPage(): Promise<PlayerPage> {
  const outDir = await mkdtemp(join(tmpdir(), 'player-page-'));
  await build({
    configFile: false,
    root: PAGE_ROOT,
    base: './',
    logLevel: 'warn',
    build: { outDir, emptyOutDir: true, target: 'chrome120', sourcemap: false, minify: false },
  });
  const server: Server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
    const file = resolve(outDir, `.${path === '/' ? '/index.html' : path}`);
    if (!file.startsWith(outDir)) {
      res.writeHead(403).end();
      return;
    }
    readFile(file).then(
      (body) => res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(body),
      () => res.writeHead(404).end(),
    );
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => ok());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('page server has no port');
  return {
    url: `http://127.0.0.1:${address.port}/index.html`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((ok) => server.close(() => ok()));
      await rm(outDir, { recursive: true, force: true });
    },
  };
}
