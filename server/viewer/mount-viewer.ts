// The audience web page on the server's HTTP port:
//   GET /watch/{room}            the page (dist/viewer/index.html) under a strict CSP
//   GET /watch/assets/{file}     its script and style (dist/viewer/), same CSP
//   GET /api/watch/{room}        what the page needs: is the host live, is the room server-mixed,
//                                and a read-only signalling login (`viewer.*` id, 6 h token) to
//                                follow the room's layout for the client-side mix
// The page is built by the build (scripts/build-viewer.ts, `npm run build` or `npm run build:viewer`)
// from renderer/viewer/; the server only serves it. While it is missing the server answers 503
// NOT_LISTENING, unless its host handed it a `buildPage` (a development checkout), which the first
// request runs once. The server never reaches into renderer/ itself.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isValidStreamCode } from '../../common/stream-code';
import type { Disposable } from '../../common/typed-emitter';
import { sendJson } from '../http/http-host';
import type { LinkMicServer } from '../link-mic-server';
import { READ_ONLY_VIEWER_PREFIX } from '../signal/signal-service';

export interface ViewerOptions {
  /** Folder of the built page (default `<repo>/dist/viewer`). */
  readonly distDir?: string;
  /** Lifetime of the viewer's signalling token, seconds (default 6 h). */
  readonly tokenTtlSec?: number;
  /** Builds the page into `distDir` when it is missing (e.g. scripts/build-viewer.ts's buildViewer). */
  readonly buildPage?: (distDir: string) => Promise<unknown>;
}

export interface WatchInfo {
  readonly roomId: string;
  /** The host's stream is being published. */
  readonly live: boolean;
  /** Audience plays of the room's stream get the server-side mix. */
  readonly mixed: boolean;
  /** Path (and query) of the room stream's audience play on this host. */
  readonly streamPath: string;
  /** Read-only signalling login, null when the signalling service is not running. */
  readonly signal: { readonly path: string; readonly userId: string; readonly token: string } | null;
}

export const VIEWER_PATH = '/watch';
export const WATCH_API_PATH = '/api/watch';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

export function defaultViewerDist(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist/viewer');
}

/** The page's Content-Security-Policy: own scripts (and the player's Blob worklet), own connections only. */
export function viewerCsp(): string {
  return [
    "default-src 'none'",
    "script-src 'self' blob:",
    "style-src 'self'",
    "img-src 'self' data:",
    "media-src 'self' blob:",
    "connect-src 'self'",
    "worker-src 'self' blob:",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export class MountedViewer implements Disposable {
  private readonly disposables: Disposable[] = [];
  private readonly distDir: string;
  private building: Promise<boolean> | undefined;

  constructor(
    private readonly server: LinkMicServer,
    private readonly options: ViewerOptions = {},
  ) {
    this.distDir = options.distDir ?? defaultViewerDist();
    this.disposables.push(
      server.addRoute('GET', `${VIEWER_PATH}/`, (req, res, url) => this.serve(req, res, url)),
      server.addRoute('GET', `${WATCH_API_PATH}/`, (_req, res, url) => this.serveInfo(res, url)),
    );
  }

  /** What /api/watch/{room} answers. */
  watchInfo(roomId: string): WatchInfo {
    const live = this.server.getStream(roomId) !== undefined;
    const mixed = live && this.server.mixer.audienceSource(roomId) !== undefined;
    const audience = new URL(this.server.urls.audienceUrl(roomId));
    let signal: WatchInfo['signal'] = null;
    if (this.server.signal.service) {
      const userId = `${READ_ONLY_VIEWER_PREFIX}${randomBytes(8).toString('hex')}`;
      const minted = this.server.signal.mintToken(userId, this.options.tokenTtlSec ?? 6 * 3600);
      signal = { path: '/signal', userId, token: minted.token };
    }
    return { roomId, live, mixed, streamPath: `${audience.pathname}${audience.search}`, signal };
  }

  dispose(): void {
    for (const disposable of this.disposables.splice(0)) disposable.dispose();
  }

  private serveInfo(res: ServerResponse, url: URL): void {
    let roomId: string;
    try {
      roomId = decodeURIComponent(url.pathname.slice(WATCH_API_PATH.length + 1));
    } catch {
      roomId = ''; // bad percent-encoding: refused below as an invalid room
    }
    if (!isValidStreamCode(roomId)) {
      sendJson(res, 400, { error: { name: 'ValidationError', code: 'INVALID_ARGUMENT', message: 'room: 1-128 characters of A-Z a-z 0-9 _ -', field: 'room' } });
      return;
    }
    sendJson(res, 200, this.watchInfo(roomId));
  }

  private async serve(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const buildPage = this.options.buildPage;
    if (buildPage && !existsSync(path.join(this.distDir, 'index.html'))) {
      this.building ??= buildPage(this.distDir).then(
        () => true,
        (error: unknown) => {
          this.server.log.warn({ err: error }, 'could not build the viewer page');
          return false;
        },
      );
      await this.building;
    }
    await this.serveStatic(req, res, url);
  }

  /** Reads page files asynchronously: this HTTP port also carries live media. */
  private async serveStatic(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const rest = url.pathname.slice(VIEWER_PATH.length + 1);
    let file: string;
    if (rest.startsWith('assets/')) {
      const name = rest.slice('assets/'.length);
      if (!/^[A-Za-z0-9_.-]+$/.test(name) || name.startsWith('.')) return this.notFound(res);
      file = path.join(this.distDir, name);
    } else if (isValidStreamCode(rest)) {
      file = path.join(this.distDir, 'index.html');
    } else {
      return this.notFound(res);
    }
    let body: Buffer;
    try {
      body = await readFile(file);
    } catch {
      if (file.endsWith('index.html')) {
        sendJson(res, 503, { error: { name: 'LinkMicError', code: 'NOT_LISTENING', message: 'the viewer page is not built (npm run build)' } });
        return;
      }
      return this.notFound(res);
    }
    res.writeHead(200, {
      'Content-Type': CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream',
      'Content-Length': body.length,
      'Content-Security-Policy': viewerCsp(),
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'Cache-Control': 'no-cache',
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  private notFound(res: ServerResponse): void {
    sendJson(res, 404, { error: { name: 'LinkMicError', code: 'INVALID_URL', message: 'no such page' } });
  }
}
