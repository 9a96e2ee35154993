// Issue 11 item 4: a guest that was accepted but never publishes frees its slot after a deadline.
// The service hears the origin's publish events (a fake origin here, driven with a manual clock):
// an accepted guest whose stream has not reached the origin 20 s after the accept loses its link
// (`link.ended` reason `no-media`, to both sides), and the room's guest slot is free for the next.
import { afterEach, describe, expect, it } from 'vitest';
import type { SignalClient } from '../../common/signal/signal-client';
import { parseHubSnapshot } from '../signal/signal-snapshot';
import { nextEvent, startSignalServer, type SignalTestServer } from './signal-harness';

describe('first-publish deadline of accepted guests', () => {
  let server: SignalTestServer;
  afterEach(async () => {
    await server.close();
  });

  async function link(host: SignalClient, guest: SignalClient, guestStream: string): Promise<string> {
    const requested = nextEvent(host, 'link.requested');
    const guestLinked = nextEvent(guest, 'link.started');
    const { requestId } = await guest.requestLink('hoststream', guestStream);
    await requested;
    const { linkId } = await host.acceptLink(requestId);
    await guestLinked;
    return linkId;
  }

  it('ends the link of a guest that never publishes with no-media and frees its slot for another guest', async () => {
    server = await startSignalServer({ linkPublishDeadlineMs: 20_000 });
    const host = await server.client('host');
    await host.openRoom({ streamCode: 'hoststream', guestLimit: 3 });
    server.origin.emit('publish', { streamCode: 'hoststream' });
    const guests = await Promise.all(['g1', 'g2', 'squatter'].map((id) => server.client(id)));
    await link(host, guests[0]!, 'g1stream');
    server.origin.emit('publish', { streamCode: 'g1stream' });
    await link(host, guests[1]!, 'g2stream');
    server.origin.emit('publish', { streamCode: 'g2stream' });
    const squatterLink = await link(host, guests[2]!, 'squatterstream');

    // The room is full: a fourth guest is refused while the squatter holds its slot.
    const late = await server.client('late');
    const refused = await late.requestLink('hoststream', 'latestream').then(
      () => 'requested',
      (error: { code?: string }) => error.code,
    );
    expect(refused).toBe('GUEST_LIMIT_REACHED');

    const hostEnded = nextEvent(host, 'link.ended');
    const squatterEnded = nextEvent(guests[2]!, 'link.ended');
    server.clock.advance(19_999);
    await host.ping();
    expect(host.activeLinks).toHaveLength(3);
    server.clock.advance(1);
    expect(await hostEnded).toMatchObject({ linkId: squatterLink, reason: 'no-media', streamCode: 'squatterstream' });
    expect(await squatterEnded).toMatchObject({ linkId: squatterLink, reason: 'no-media' });
    expect(host.activeLinks.map((l) => l.peer.userId).sort()).toEqual(['g1', 'g2']);

    // The freed slot takes the next guest.
    const requested = nextEvent(host, 'link.requested');
    const { requestId } = await late.requestLink('hoststream', 'latestream');
    await requested;
    await expect(host.acceptLink(requestId)).resolves.toMatchObject({ peer: { userId: 'late' } });
  });

  it('keeps the link of a guest whose stream reached the origin in time, however long the link lasts', async () => {
    server = await startSignalServer({ linkPublishDeadlineMs: 20_000 });
    const host = await server.client('host');
    await host.openRoom({ streamCode: 'hoststream' });
    const guest = await server.client('guest');
    const ended: unknown[] = [];
    host.events.on('link.ended', (event) => ended.push(event));
    const linkId = await link(host, guest, 'gueststream');
    server.clock.advance(15_000);
    server.origin.emit('publish', { streamCode: 'gueststream' });
    server.clock.advance(60_000);
    await host.ping();
    expect(ended).toEqual([]);
    expect(host.activeLinks.map((l) => l.linkId)).toEqual([linkId]);
  });

  it('does not count a publish of the stream before the accept: the deadline starts at the accept', async () => {
    server = await startSignalServer({ linkPublishDeadlineMs: 20_000 });
    const host = await server.client('host');
    await host.openRoom({ streamCode: 'hoststream' });
    const guest = await server.client('guest');
    server.origin.emit('publish', { streamCode: 'gueststream' });
    server.origin.emit('unpublish', { streamCode: 'gueststream' });
    const linkId = await link(host, guest, 'gueststream');
    const hostEnded = nextEvent(host, 'link.ended');
    server.clock.advance(20_000);
    expect(await hostEnded).toMatchObject({ linkId, reason: 'no-media' });
  });

  it('a hang-up before the deadline ends the link once, with hangup', async () => {
    server = await startSignalServer({ linkPublishDeadlineMs: 20_000 });
    const host = await server.client('host');
    await host.openRoom({ streamCode: 'hoststream' });
    const guest = await server.client('guest');
    const reasons: string[] = [];
    host.events.on('link.ended', (event) => reasons.push(event.reason));
    const linkId = await link(host, guest, 'gueststream');
    const hostEnded = nextEvent(host, 'link.ended');
    await guest.hangUp(linkId);
    await hostEnded;
    server.clock.advance(30_000);
    await host.ping();
    expect(reasons).toEqual(['hangup']);
  });

  it('keeps the deadline through a snapshot: restored on another server, the slot is freed at the same moment', async () => {
    server = await startSignalServer({ linkPublishDeadlineMs: 20_000 });
    const host = await server.client('host');
    await host.openRoom({ streamCode: 'hoststream' });
    const guest = await server.client('guest');
    const linkId = await link(host, guest, 'gueststream');
    server.clock.advance(5_000);
    const snapshot = server.service.hub.exportSnapshot(() => undefined);
    expect(snapshot.publishDue).toEqual([{ linkId, streamCode: 'gueststream', at: server.clock.now() + 15_000 }]);
    const restored = await startSignalServer({ linkPublishDeadlineMs: 20_000 });
    try {
      restored.clock.advance(server.clock.now() - restored.clock.now());
      restored.service.hub.restoreSnapshot(JSON.parse(JSON.stringify(snapshot)), () => undefined);
      const back = await restored.client('host');
      const early: unknown[] = [];
      back.events.on('link.ended', (event) => early.push(event));
      restored.clock.advance(14_999);
      await back.ping();
      expect(early).toEqual([]);
      const ended = nextEvent(back, 'link.ended');
      restored.clock.advance(1);
      expect(await ended).toMatchObject({ linkId, reason: 'no-media' });
    } finally {
      await restored.close();
    }
  });

  it('restores a snapshot written before the deadline existed (no publishDue field)', async () => {
    server = await startSignalServer();
    const snapshot = server.service.hub.exportSnapshot(() => undefined) as Record<string, unknown>;
    delete snapshot.publishDue;
    const restored = await startSignalServer();
    try {
      expect(() => restored.service.hub.restoreSnapshot(parseOrThrow(snapshot), () => undefined)).not.toThrow();
    } finally {
      await restored.close();
    }
  });
});

function parseOrThrow(value: unknown) {
  const parsed = parseHubSnapshot(value);
  if (!parsed.ok) throw new Error(parsed.problem);
  return parsed.snapshot;
}
