import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { resolveConfig } from '../cli-config';
import { startSignalServer, type SignalTestServer } from './signal-harness';

/** Opens /signal with these headers: 'open', or the HTTP status it was refused with. */
function upgrade(port: number, headers: Record<string, string>): Promise<'open' | number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`ws://127.0.0.1:${port}/signal`, { headers });
    socket.once('open', () => {
      socket.close();
      resolve('open');
    });
    socket.once('unexpected-response', (_request, response) => {
      resolve(response.statusCode ?? 0);
      response.resume();
      socket.terminate();
    });
    socket.once('error', (error) => reject(error));
  });
}

describe('the /signal upgrade checks the Origin of browser pages', () => {
  let server: SignalTestServer;
  beforeEach(async () => {
    server = await startSignalServer({ loopbackOnly: true, allowOrigins: ['http://console.example:5173'] });
  });
  afterEach(async () => {
    await server.close();
  });

  it('lets a non-browser client without an Origin in', async () => {
    expect(await upgrade(server.port, {})).toBe('open');
  });

  it("lets the server's own origin and an --allow-origin origin in", async () => {
    expect(await upgrade(server.port, { origin: `http://127.0.0.1:${server.port}` })).toBe('open');
    expect(await upgrade(server.port, { origin: 'http://console.example:5173' })).toBe('open');
  });

  it('refuses another site, an opaque origin and a DNS-rebinding page with 403 before the upgrade', async () => {
    expect(await upgrade(server.port, { origin: 'https://evil.example' })).toBe(403);
    expect(await upgrade(server.port, { origin: 'null' })).toBe(403);
    expect(await upgrade(server.port, { origin: `http://evil.example:${server.port}`, host: `evil.example:${server.port}` })).toBe(403);
    expect(await upgrade(server.port, { origin: 'http://console.example:5174' })).toBe(403);
    expect(server.service.connectionCount).toBe(0);
  });
});

describe('--allow-origin', () => {
  it('is repeatable on the command line and a comma list in LINKMIC_ALLOW_ORIGIN', () => {
    expect(resolveConfig(['--allow-origin', 'http://a.example', '--allow-origin', 'https://b.example:8443'], {}).allowOrigin).toEqual(['http://a.example', 'https://b.example:8443']);
    expect(resolveConfig([], { LINKMIC_ALLOW_ORIGIN: 'http://a.example, http://c.example' }).allowOrigin).toEqual(['http://a.example', 'http://c.example']);
    expect(resolveConfig([], {}).allowOrigin).toEqual([]);
  });

  it('refuses something that is not an origin', () => {
    expect(() => resolveConfig(['--allow-origin', 'http://a.example/path'], {})).toThrow(/must be an origin/);
  });
});
