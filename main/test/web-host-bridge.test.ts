// The contract over the web host's WebSocket bridge, for real: a real HTTP server on 127.0.0.1, a
// real `ws` client through renderer/api's bridge client, the real core and embedded server.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { LinkMicError } from '../../common/errors';
import { STUDIO_METHODS, WEB_BRIDGE_PATH } from '../../common/studio-api';
// eslint-disable-next-line no-restricted-imports -- the round-trip test drives both ends of the boundary
import { bridgeUrl, connectWebBridge, tokenFromUrl, type WebBridgeClient, type WebSocketFactory } from '../../renderer/api';
import { WebHost } from '../web-host';
import { BAD_INPUTS } from './studio-bad-inputs';
import { nextEvent, startTestCore, waitForState, type TestCore } from './studio-test-core';

const NodeWebSocket = WebSocket as unknown as WebSocketFactory;

function rawClose(url: string, headers: Record<string, string> = {}): Promise<{ code: number; status?: number }> {
  return new Promise((resolve) => {
    const socket = new WebSocket(url, { headers });
    socket.on('unexpected-response', (_request, response) => {
      resolve({ code: 1006, status: response.statusCode });
      socket.terminate();
    });
    socket.on('close', (code) => resolve({ code }));
    socket.on('error', () => undefined);
  });
}

describe('StudioApi over the web host', () => {
  let studio: TestCore;
  let host: WebHost;
  let client: WebBridgeClient;
  let rendererDir: string;

  beforeAll(async () => {
    rendererDir = await mkdtemp(path.join(os.tmpdir(), 'studio-renderer-'));
    await mkdir(path.join(rendererDir, 'assets'));
    await writeFile(path.join(rendererDir, 'index.html'), '<!doctype html><title>LinkMic Studio</title><script type="module" src="./assets/app.js"></script>');
    await writeFile(path.join(rendererDir, 'assets', 'app.js'), 'console.log("console");');
    await writeFile(path.join(os.tmpdir(), 'studio-web-secret.txt'), 'secret');
    studio = await startTestCore();
    host = await WebHost.start({ core: studio.core, rendererDir, port: 0 });
    client = await connectWebBridge({ baseUrl: host.baseUrl, token: host.token, WebSocket: NodeWebSocket });
  });

  afterAll(async () => {
    client?.close();
    await host?.close();
    await studio?.close();
    await rm(rendererDir, { recursive: true, force: true });
    await rm(path.join(os.tmpdir(), 'studio-web-secret.txt'), { force: true });
  });

  it('listens on 127.0.0.1 and prints a page URL carrying the token in its fragment', () => {
    expect(host.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(host.token).toMatch(/^[0-9a-f]{64}$/);
    expect(tokenFromUrl(host.pageUrl)).toBe(host.token);
  });

  it('serves the built console with a CSP header, and nothing outside its folder', async () => {
    const page = await fetch(`${host.baseUrl}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(await page.text()).toContain('LinkMic Studio');
    expect((await fetch(`${host.baseUrl}/assets/app.js`)).headers.get('content-type')).toContain('text/javascript');
    expect((await fetch(`${host.baseUrl}/..%2Fstudio-web-secret.txt`)).status).toBe(404);
    expect((await fetch(`${host.baseUrl}/nope.js`)).status).toBe(404);
  });

  it('refuses a WebSocket without a token', async () => {
    const url = new URL(WEB_BRIDGE_PATH, host.baseUrl.replace('http', 'ws')).toString();
    expect((await rawClose(url)).code).toBe(4401);
    await expect(connectWebBridge({ baseUrl: host.baseUrl, token: '', WebSocket: NodeWebSocket })).rejects.toMatchObject({ code: 'TOKEN_INVALID' });
  });

  it('refuses a WebSocket with a wrong token', async () => {
    expect((await rawClose(bridgeUrl(host.baseUrl, 'f'.repeat(64)))).code).toBe(4401);
    await expect(connectWebBridge({ baseUrl: host.baseUrl, token: host.token.slice(1), WebSocket: NodeWebSocket })).rejects.toBeInstanceOf(LinkMicError);
  });

  it('refuses a WebSocket opened by a page of another origin, even with the token', async () => {
    const result = await rawClose(bridgeUrl(host.baseUrl, host.token), { origin: 'https://evil.example' });
    expect(result.status).toBe(403);
  });

  it('refuses a WebSocket whose Host is not a loopback name (DNS rebinding), even with the token', async () => {
    const result = await rawClose(bridgeUrl(host.baseUrl, host.token), { host: `rebound.example:${host.port}`, origin: `http://rebound.example:${host.port}` });
    expect(result.status).toBe(403);
  });

  it('round-trips methods and events', async () => {
    const state = await client.getState();
    expect(state.server).toMatchObject({ kind: 'embedded', status: 'running', signal: 'connected' });
    const event = nextEvent(client, 'settings', (s) => s.room.guestLimit === 2);
    const settings = await client.updateSettings({ room: { allowLinkRequests: true, guestLimit: 2, templateId: 1 } });
    expect(settings.room.guestLimit).toBe(2);
    expect((await event).room.guestLimit).toBe(2);
  });

  for (const method of STUDIO_METHODS) {
    it(`rejects bad input to ${method} with a ValidationError naming the field`, async () => {
      const { input, field } = BAD_INPUTS[method];
      const call = client[method] as (input: unknown) => Promise<unknown>;
      const error = await call(input).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(LinkMicError);
      expect(error).toMatchObject({ code: 'INVALID_ARGUMENT', field });
    });
  }

  it('answers a call to a method outside the contract with INVALID_ARGUMENT naming the method', async () => {
    const socket = new WebSocket(bridgeUrl(host.baseUrl, host.token));
    const answer = new Promise<unknown>((resolve) => {
      socket.on('message', (data) => {
        const message = JSON.parse(String(data)) as { type: string };
        if (message.type === 'result') resolve(message);
      });
    });
    socket.on('open', () => socket.send(JSON.stringify({ id: 1, method: 'constructor' })));
    expect(await answer).toMatchObject({ id: 1, result: { ok: false, error: { code: 'INVALID_ARGUMENT', field: 'method' } } });
    socket.close();
  });

  it('carries PCM frames as binary messages, and reports a malformed one to the console', async () => {
    const reported = nextEvent(client, 'error', (e) => e.context === 'audio');
    client.sendAudioFrame(new ArrayBuffer(960));
    client.sendAudioFrame(new ArrayBuffer(5));
    expect(await reported).toMatchObject({ code: 'INVALID_ARGUMENT', field: 'frame' });
  });

  it('goes live and stops over the bridge, with push events', async () => {
    const live = nextEvent(client, 'push', (p) => p.status === 'live');
    await client.goLive();
    expect((await live).status).toBe('live');
    await waitForState(client, (s) => s.live.status === 'live', 'live over the bridge');
    expect((await client.stopLive()).status).toBe('offline');
  });

  it('fails pending calls with DISCONNECTED when the host closes', async () => {
    const second = await connectWebBridge({ baseUrl: host.baseUrl, token: host.token, WebSocket: NodeWebSocket });
    expect(host.connectionCount).toBeGreaterThanOrEqual(2);
    second.close();
    const closed = await second.closed;
    expect(closed.code).toBe(1000);
    await expect(second.getState()).rejects.toMatchObject({ code: 'DISCONNECTED' });
  });
});
