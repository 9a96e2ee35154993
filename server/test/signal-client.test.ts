// SignalClient on its own: request timeouts, connect failures, and that both `ws` and DOM
// WebSockets fit its factory type.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { SignalClient, type WebSocketFactory, type WebSocketLike } from '../../common/signal/signal-client';
import { nextEvent, startSignalServer, type SignalTestServer } from './signal-harness';

/** A WebSocket server that answers hello and then nothing: requests time out. */
async function startSilentServer(): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer();
  const wss = new WebSocketServer({ server });
  wss.on('connection', (socket) => {
    socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as { id: string; type: string; userId: string };
      if (message.type === 'hello') {
        const state = { hostedRoom: null, joinedRooms: [], links: [], pk: null, pendingLinkRequests: [], pendingPkInvites: [] };
        socket.send(JSON.stringify({ type: 'result', id: message.id, result: { userId: message.userId, resumed: false, graceMs: 0, serverTime: 0, state } }));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/signal`,
    close: async () => {
      for (const client of wss.clients) client.terminate();
      wss.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('SignalClient', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('rejects a request the server never answers with TIMEOUT', async () => {
    const silent = await startSilentServer();
    cleanups.push(() => silent.close());
    const client = new SignalClient({ url: silent.url, userId: 'a', token: 't', createWebSocket: (url) => new WebSocket(url), requestTimeoutMs: 100 });
    cleanups.push(() => client.close());
    await client.connect();
    await expect(client.ping()).rejects.toMatchObject({ code: 'TIMEOUT' });
  });

  it('rejects connect with CONNECT_FAILED when nothing listens', async () => {
    const silent = await startSilentServer();
    const url = silent.url;
    await silent.close();
    const client = new SignalClient({ url, userId: 'a', token: 't', createWebSocket: (u) => new WebSocket(u) });
    await expect(client.connect()).rejects.toMatchObject({ code: 'CONNECT_FAILED' });
    expect(client.state).toBe('closed');
  });

  it('rejects requests while not connected, and fails pending ones with DISCONNECTED on close', async () => {
    const silent = await startSilentServer();
    cleanups.push(() => silent.close());
    const client = new SignalClient({ url: silent.url, userId: 'a', token: 't', createWebSocket: (url) => new WebSocket(url), requestTimeoutMs: 5000 });
    await expect(client.ping()).rejects.toMatchObject({ code: 'DISCONNECTED' });
    await client.connect();
    const pending = client.ping();
    client.close();
    await expect(pending).rejects.toMatchObject({ code: 'DISCONNECTED' });
  });

  it('fetches a fresh token from a token function before each connect', async () => {
    const server: SignalTestServer = await startSignalServer();
    cleanups.push(() => server.close());
    let fetched = 0;
    const client = await server.client('alice', {
      token: () => {
        fetched += 1;
        return server.token('alice');
      },
    });
    const reconnected = nextEvent(client, 'connected');
    server.service.disconnectUser('alice');
    expect((await reconnected).resumed).toBe(true);
    expect(fetched).toBe(2);
  });

  it('keeps reconnecting when fetching a token fails once', async () => {
    const server = await startSignalServer();
    cleanups.push(() => server.close());
    let calls = 0;
    const client = await server.client('bob', {
      token: () => {
        calls += 1;
        if (calls === 2) throw new Error('token service down');
        return server.token('bob');
      },
    });
    const reconnected = nextEvent(client, 'connected');
    server.service.disconnectUser('bob');
    expect((await reconnected).userId).toBe('bob');
    expect(calls).toBe(3);
  });

  it('takes `ws` and DOM WebSockets through the same factory type', () => {
    const fromWs: WebSocketFactory = (url) => new WebSocket(url);
    // Type-level only: Node 20 has no global WebSocket, browsers do.
    const fromDom = (url: string): WebSocketLike => new globalThis.WebSocket(url);
    expect(typeof fromWs).toBe('function');
    expect(typeof fromDom).toBe('function');
  });
});
