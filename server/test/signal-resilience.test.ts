import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { nextEvent, startSignalServer, waitFor, type SignalTestServer } from './signal-harness';

describe('reconnects and restarts', () => {
  const servers: SignalTestServer[] = [];
  afterEach(async () => {
    for (const server of servers.splice(0)) await server.close();
  });

  async function linkedPair(server: SignalTestServer, guestOptions = {}) {
    const host = await server.client('host');
    const guest = await server.client('guest', guestOptions);
    const opened = await host.openRoom({ streamCode: 'hoststream' });
    await guest.joinRoom('hoststream');
    const requested = nextEvent(host, 'link.requested');
    const { requestId } = await guest.requestLink('hoststream', 'gueststream');
    await requested;
    const link = await host.acceptLink(requestId);
    await waitFor(() => guest.activeLinks.length === 1, 'guest link');
    return { host, guest, link, sessionId: opened.room.sessionId };
  }

  it('resumes a client that reconnects within the grace period, links intact', async () => {
    const server = await startSignalServer({ graceMs: 30_000 });
    servers.push(server);
    const { host, guest, link } = await linkedPair(server);
    const hostEnded: unknown[] = [];
    host.events.on('link.ended', (event) => hostEnded.push(event));
    const reconnected = nextEvent(guest, 'connected');
    expect(server.service.disconnectUser('guest')).toBe(1);
    const hello = await reconnected;
    expect(hello.resumed).toBe(true);
    expect(hello.state.links.map((l) => l.linkId)).toEqual([link.linkId]);
    expect(hello.state.joinedRooms).toEqual(['hoststream']);
    await host.ping();
    expect(hostEnded).toEqual([]);
    expect(guest.activeLinks.map((l) => l.linkId)).toEqual([link.linkId]);
  });

  it('ends the links of a client gone past the grace period, and it comes back as new', async () => {
    const server = await startSignalServer({ graceMs: 30_000 });
    servers.push(server);
    const { host, guest, link } = await linkedPair(server, { reconnect: { initialMs: 300, maxMs: 300, jitter: 0 } });
    const hostEnded = nextEvent(host, 'link.ended');
    const guestLocalEnd = nextEvent(guest, 'link.ended');
    const reconnected = nextEvent(guest, 'connected');
    server.service.disconnectUser('guest');
    await waitFor(() => !server.service.hub.isOnline('guest'), 'guest offline');
    server.clock.advance(30_000);
    expect(await hostEnded).toMatchObject({ linkId: link.linkId, reason: 'disconnected', by: 'guest' });
    const hello = await reconnected;
    expect(hello.resumed).toBe(false);
    expect(await guestLocalEnd).toMatchObject({ linkId: link.linkId, reason: 'disconnected' });
    expect(guest.activeLinks).toEqual([]);
  });

  it("closes a host's room when the host is gone past the grace period", async () => {
    const server = await startSignalServer({ graceMs: 30_000 });
    servers.push(server);
    const { host, guest } = await linkedPair(server);
    const closed = nextEvent(guest, 'room.closed');
    host.close();
    await waitFor(() => !server.service.hub.isOnline('host'), 'host offline');
    server.clock.advance(29_999);
    expect(server.service.hub.isOnline('guest')).toBe(true);
    server.clock.advance(1);
    expect(await closed).toMatchObject({ roomId: 'hoststream', reason: 'host-left' });
  });

  it('survives a server restart: the host re-opens its room with the same session_id and viewers re-join', async () => {
    const first = await startSignalServer();
    const { host, guest, sessionId } = await linkedPair(first);
    const viewer = await first.client('viewer');
    await viewer.joinRoom('hoststream');
    const hostBack = nextEvent(host, 'reannounced');
    const viewerBack = nextEvent(viewer, 'reannounced');
    const guestLinkEnded = nextEvent(guest, 'link.ended');
    await first.stop();
    const second = await startSignalServer({}, first.port);
    servers.push(second);
    expect(await hostBack).toEqual({ roomId: 'hoststream', sessionId, rejoined: [] });
    expect((await viewerBack).rejoined).toEqual(['hoststream']);
    expect(await guestLinkEnded).toMatchObject({ reason: 'disconnected' });
    const snapshot = await viewer.joinRoom('hoststream');
    expect(snapshot.room).toMatchObject({ hostUserId: 'host', sessionId });
    for (const client of [host, guest, viewer]) client.close();
  });

  it('gives a re-opened room a fresh session_id when its old one is taken', async () => {
    const server = await startSignalServer({}, 0);
    servers.push(server);
    const first = await server.client('first');
    const taken = (await first.openRoom({ streamCode: 'firststream' })).room.sessionId;
    const second = await server.client('second');
    const opened = await second.openRoom({ streamCode: 'secondstream', sessionId: taken });
    expect(opened.room.sessionId).not.toBe(taken);
  });

  it('drops a connection that stops answering pings, which starts its grace period', async () => {
    const server = await startSignalServer({ heartbeatMs: 300 });
    servers.push(server);
    const deaf = new WebSocket(server.wsUrl, { autoPong: false });
    await new Promise((resolve) => deaf.once('open', resolve));
    deaf.send(JSON.stringify({ id: 'h', type: 'hello', userId: 'deaf', token: server.token('deaf') }));
    await waitFor(() => server.service.hub.isOnline('deaf'), 'deaf online');
    const code = await new Promise<number>((resolve) => deaf.once('close', (c) => resolve(c)));
    expect(code).toBe(1006);
    await waitFor(() => !server.service.hub.isOnline('deaf'), 'deaf dropped by the server');
    expect(server.service.connectionCount).toBe(0);
  });
});
