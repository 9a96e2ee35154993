import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SignalClient } from '../../common/signal/signal-client';
import { nextEvent, startSignalServer, type SignalTestServer } from './signal-harness';

describe('media awareness', () => {
  let server: SignalTestServer;
  let host: SignalClient;
  let guest: SignalClient;
  let linkId: string;

  beforeEach(async () => {
    server = await startSignalServer({ mediaLossMs: 5000 });
    host = await server.client('host');
    guest = await server.client('guest');
    await host.openRoom({ streamCode: 'hoststream' });
    const requested = nextEvent(host, 'link.requested');
    const { requestId } = await guest.requestLink('hoststream', 'gueststream');
    await requested;
    linkId = (await host.acceptLink(requestId)).linkId;
    server.origin.emit('publish', { streamCode: 'hoststream' });
    server.origin.emit('publish', { streamCode: 'gueststream' });
  });
  afterEach(async () => {
    await server.close();
  });

  it("ends the link and tells both sides why when the guest's stream is gone for 5 s", async () => {
    const hostEnded = nextEvent(host, 'link.ended');
    const guestEnded = nextEvent(guest, 'link.ended');
    server.origin.emit('unpublish', { streamCode: 'gueststream', reason: 'closed' });
    server.clock.advance(5000);
    expect(await hostEnded).toMatchObject({ linkId, reason: 'media-lost', streamCode: 'gueststream' });
    expect(await guestEnded).toMatchObject({ linkId, reason: 'media-lost', streamCode: 'gueststream' });
  });

  it('keeps the link when the stream comes back within the window', async () => {
    const ended: unknown[] = [];
    host.events.on('link.ended', (event) => ended.push(event));
    server.origin.emit('unpublish', { streamCode: 'gueststream' });
    server.clock.advance(4000);
    server.origin.emit('publish', { streamCode: 'gueststream' });
    server.clock.advance(10_000);
    await host.ping();
    expect(ended).toEqual([]);
    expect(host.activeLinks.map((l) => l.linkId)).toEqual([linkId]);
  });

  it("ends the link when the host's stream is gone", async () => {
    const guestEnded = nextEvent(guest, 'link.ended');
    server.origin.emit('unpublish', { streamCode: 'hoststream' });
    server.clock.advance(5000);
    expect(await guestEnded).toMatchObject({ reason: 'media-lost', streamCode: 'hoststream' });
  });

  it("ends a PK when one host's stream is gone", async () => {
    const other = await server.client('other');
    await other.openRoom({ streamCode: 'otherstream' });
    const invited = nextEvent(other, 'pk.invited');
    const { pkId } = await host.invitePk('otherstream');
    await invited;
    await other.acceptPk(pkId);
    const ended = nextEvent(host, 'pk.ended');
    server.origin.emit('unpublish', { streamCode: 'otherstream' });
    server.clock.advance(5000);
    expect(await ended).toMatchObject({ pkId, reason: 'media-lost', streamCode: 'otherstream' });
  });
});
