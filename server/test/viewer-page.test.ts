// The audience page (/watch/{room}) in real Chromium against a real server and live ffmpeg
// pushes: it plays, follows a layout change pushed by the host through signalling, shows the
// server mix as one stream, and survives a publisher restart. The page's strict CSP is a header.
import type { Browser, Page } from 'playwright-core';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SignalClient } from '../../common/signal/signal-client';
import type { LinkMicServer } from '../link-mic-server';
import { buildViewer } from '../../scripts/build-viewer';
import { devLoginClient } from './helpers/dev-login-client';
import { startViewerBrowser, type ViewerBrowser } from './helpers/viewer-browser';
import { startTestServer, waitFor, type Child } from './helpers/media';
import { pushColour, pushSmallColour } from './mixer-media';

interface ViewerSnapshot {
  state: string;
  mixed: boolean;
  layoutVersion: number;
  tiles: Array<{ streamCode: string; rect: { x: number; y: number; w: number; h: number }; state: string; framesDrawn: number }>;
}

let viewer: ViewerBrowser | undefined;
let distDir: string;
let browser: Browser;
let server: LinkMicServer | undefined;
const children: Child[] = [];
const clients: SignalClient[] = [];

beforeAll(async () => {
  viewer = await startViewerBrowser('linkmic-viewer-');
  ({ distDir, browser } = viewer);
}, 60_000);

afterAll(async () => {
  await viewer?.close();
});

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await Promise.all(children.splice(0).map((child) => child.stop()));
  await server?.close();
  server = undefined;
});

async function snapshotOf(page: Page): Promise<ViewerSnapshot> {
  return page.evaluate(() => (window as unknown as { linkmicViewer: { snapshot(): ViewerSnapshot } }).linkmicViewer.snapshot());
}

async function until(page: Page, predicate: (s: ViewerSnapshot) => boolean, what: string, timeoutMs = 25_000): Promise<ViewerSnapshot> {
  const deadline = Date.now() + timeoutMs;
  let last: ViewerSnapshot | undefined;
  while (Date.now() < deadline) {
    last = await snapshotOf(page);
    if (predicate(last)) return last;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`timed out waiting for ${what}; last ${JSON.stringify(last)}`);
}

async function hostClient(userId: string): Promise<SignalClient> {
  const client = await devLoginClient(server!, userId);
  clients.push(client);
  return client;
}

const drawing = (s: ViewerSnapshot): boolean => s.state === 'playing' && s.tiles.some((tile) => tile.framesDrawn > 5);

describe('audience web page', () => {
  it('is served with a strict CSP, plays the room and follows a layout change', async () => {
    server = await startTestServer({ viewer: { distDir } });
    const host = await hostClient('hosta');
    const opened = await host.openRoom({ streamCode: 'rooma' });
    // pushed without t_id: no server mix, the page mixes client-side from the room layout
    children.push(pushColour(server.urls.pushUrl('rooma', { layer: 'b', sessionId: opened.room.sessionId }), 'red'));
    const response = await fetch(`${server.httpUrl}/watch/rooma`);
    expect(response.status).toBe(200);
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).not.toMatch(/https?:\/\/(?!127\.0\.0\.1)/);

    const page = await browser.newPage({ viewport: { width: 400, height: 760 } });
    const external: string[] = [];
    page.on('request', (request) => {
      if (!request.url().startsWith(server!.httpUrl) && !request.url().startsWith(server!.wsUrl) && !request.url().startsWith('blob:')) external.push(request.url());
    });
    await page.goto(`${server.httpUrl}/watch/rooma`);
    const playing = await until(page, drawing, 'the page to play');
    expect(playing.mixed).toBe(false);
    expect(playing.tiles).toHaveLength(1);

    await host.setLayout({ roomId: 'rooma', layout: { templateId: 1, participants: [{ userId: 'hosta', streamCode: 'rooma', rect: { x: 0.5, y: 0.5, w: 0.5, h: 0.5 }, z: 0 }] } });
    const moved = await until(page, (s) => s.tiles.length === 1 && s.tiles[0]!.rect.x === 0.5 && s.tiles[0]!.rect.w === 0.5, 'the tile to move to the layout’s rectangle');
    expect(moved.tiles[0]!.streamCode).toBe('rooma');
    const box = await page.locator('#tiles canvas').boundingBox();
    const stageBox = await page.locator('#stage').boundingBox();
    expect(box!.x - stageBox!.x).toBeCloseTo(stageBox!.width / 2, -1);
    expect(box!.width).toBeCloseTo(stageBox!.width / 2, -1);
    expect(external).toEqual([]);
    await page.close();
  });

  it('answers 503 NOT_LISTENING while the page is not built and no builder was given', async () => {
    const empty = mkdtempSync(path.join(os.tmpdir(), 'linkmic-viewer-none-'));
    try {
      server = await startTestServer({ viewer: { distDir: empty } });
      const page = await fetch(`${server.httpUrl}/watch/someroom`);
      expect(page.status).toBe(503);
      expect(((await page.json()) as { error: { code: string } }).error.code).toBe('NOT_LISTENING');
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('builds the page on the first request with the host\'s builder when it is missing (a development checkout), and refuses odd paths', async () => {
    const fresh = mkdtempSync(path.join(os.tmpdir(), 'linkmic-viewer-lazy-'));
    try {
      server = await startTestServer({ viewer: { distDir: fresh, buildPage: buildViewer } });
      const page = await fetch(`${server.httpUrl}/watch/someroom`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('assets/viewer.js');
      const script = await fetch(`${server.httpUrl}/watch/assets/viewer.js`);
      expect(script.status).toBe(200);
      expect(script.headers.get('content-type')).toMatch(/javascript/);
      expect((await fetch(`${server.httpUrl}/watch/assets/..%2F..%2Fpackage.json`)).status).toBe(404);
      expect((await fetch(`${server.httpUrl}/watch/bad%20room`)).status).toBe(404);
      const info = (await (await fetch(`${server.httpUrl}/api/watch/someroom`)).json()) as { live: boolean; mixed: boolean; signal: { userId: string } };
      expect(info).toMatchObject({ live: false, mixed: false });
      expect(info.signal.userId).toMatch(/^viewer\./);
    } finally {
      rmSync(fresh, { recursive: true, force: true });
    }
  });

  it('gives the page a read-only signalling login: it can watch, not act', async () => {
    server = await startTestServer({ viewer: { distDir } });
    const host = await hostClient('hostr');
    await host.openRoom({ streamCode: 'roomr' });
    const info = (await (await fetch(`${server.httpUrl}/api/watch/roomr`)).json()) as { signal: { userId: string; token: string } };
    const viewer = new SignalClient({ url: `${server.wsUrl}/signal`, userId: info.signal.userId, token: info.signal.token, createWebSocket: (url) => new WebSocket(url) as never });
    clients.push(viewer);
    await viewer.connect();
    const joined = await viewer.joinRoom('roomr');
    expect(joined.room.roomId).toBe('roomr');
    await expect(viewer.requestLink('roomr', 'sneaky')).rejects.toMatchObject({ code: 'NOT_ALLOWED' });
    await expect(viewer.openRoom({ streamCode: 'sneaky' })).rejects.toMatchObject({ code: 'NOT_ALLOWED' });
  });

  it('shows the server mix as one stream when the room pushes with t_id', async () => {
    server = await startTestServer({ viewer: { distDir } });
    children.push(pushColour(server.urls.pushUrl('roomb', { layer: 'b', sessionId: 55, templateId: 1 }), 'red'));
    children.push(pushSmallColour(server.urls.pushUrl('guestb', { layer: 's', sessionId: 55, templateId: 1 }), 'blue'));
    await waitFor(() => server!.mixer.status('roomb')?.state === 'running', 'the mix');
    const page = await browser.newPage({ viewport: { width: 400, height: 760 } });
    await page.goto(`${server.httpUrl}/watch/roomb`);
    const s = await until(page, drawing, 'the mixed stream to play');
    expect(s.mixed).toBe(true);
    expect(s.tiles.map((tile) => tile.streamCode)).toEqual(['roomb']);
    await page.close();
  });

  it('shows offline when the host stops and plays again when the host comes back', async () => {
    server = await startTestServer({ viewer: { distDir } });
    const url = server.urls.pushUrl('roomc');
    let pusher = pushColour(url, 'green');
    children.push(pusher);
    const page = await browser.newPage({ viewport: { width: 400, height: 760 } });
    await page.goto(`${server.httpUrl}/watch/roomc`);
    await until(page, drawing, 'the page to play');
    await pusher.stop();
    await until(page, (s) => s.state === 'offline', 'the offline state');
    expect(await page.locator('#overlay').textContent()).toMatch(/offline|下播/);
    pusher = pushColour(url, 'green');
    children.push(pusher);
    await until(page, (s) => drawing(s) && s.state === 'playing', 'playback after the publisher restart', 40_000);
    await page.close();
  });
});
