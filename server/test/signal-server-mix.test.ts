// The room's audience mix (spec §7): client-side by default (push URLs without t_id), server-side
// only when the host asks for it (`serverMix: { templateId }`), carried into the guests' URLs.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseStreamUrl } from '../../common/urls';
import type { SignalClient } from '../../common/signal/signal-client';
import { nextEvent, startSignalServer, type SignalTestServer } from './signal-harness';

function mixOf(url: string): string {
  return /[?&]mix=([^&]*)/.exec(url)![1]!;
}

describe('room mix option (serverMix)', () => {
  let server: SignalTestServer;
  let host: SignalClient;
  let guest: SignalClient;

  beforeEach(async () => {
    server = await startSignalServer();
    host = await server.client('host');
    guest = await server.client('guest');
  });
  afterEach(async () => {
    await server.close();
  });

  async function link(): Promise<{ hostLinkId: string; guestPushUrl: string }> {
    await guest.joinRoom('hoststream');
    const requested = nextEvent(host, 'link.requested');
    const { requestId } = await guest.requestLink('hoststream', 'gueststream');
    await requested;
    const guestStarted = nextEvent(guest, 'link.started');
    const hostView = await host.acceptLink(requestId);
    return { hostLinkId: hostView.linkId, guestPushUrl: (await guestStarted).pushUrl! };
  }

  it('opens a room with a client-side mix by default: the host and guest push URLs carry no t_id', async () => {
    const opened = await host.openRoom({ streamCode: 'hoststream' });
    expect(opened.room.serverMix).toBeNull();
    expect(mixOf(opened.pushUrl)).toBe(`layer:b;session_id:${opened.room.sessionId}`);
    const { guestPushUrl } = await link();
    expect(mixOf(guestPushUrl)).toBe(`layer:s;session_id:${opened.room.sessionId}`);
  });

  it('opens a room with a server-side mix: t_id in the host URL and the same t_id in the guest URL', async () => {
    const opened = await host.openRoom({ streamCode: 'hoststream', serverMix: { templateId: 3 } });
    expect(opened.room.serverMix).toEqual({ templateId: 3 });
    expect(mixOf(opened.pushUrl)).toBe(`layer:b;session_id:${opened.room.sessionId};t_id:3`);
    const { guestPushUrl } = await link();
    expect(parseStreamUrl(guestPushUrl)).toMatchObject({ streamCode: 'gueststream', mix: { layer: 's', sessionId: opened.room.sessionId, templateId: 3 } });
  });

  it('reports the option to viewers (room.join) and keeps it on an idempotent re-open that omits it', async () => {
    await host.openRoom({ streamCode: 'hoststream', serverMix: { templateId: 1 } });
    expect((await guest.joinRoom('hoststream')).room.serverMix).toEqual({ templateId: 1 });
    const again = await host.openRoom({ streamCode: 'hoststream', guestLimit: 2 });
    expect(again.room.serverMix).toEqual({ templateId: 1 });
    expect(parseStreamUrl(again.pushUrl).mix?.templateId).toBe(1);
  });

  it('still reads the deprecated templateId of room.open as a server-side mix', async () => {
    const opened = await host.openRoom({ streamCode: 'hoststream', templateId: 2 });
    expect(opened.room.serverMix).toEqual({ templateId: 2 });
    expect(parseStreamUrl(opened.pushUrl).mix?.templateId).toBe(2);
  });

  it('switches the mix with room.update: a new push URL, and room.updated tells the room', async () => {
    const opened = await host.openRoom({ streamCode: 'hoststream' });
    await guest.joinRoom('hoststream');
    const updated = nextEvent(guest, 'room.updated');
    const on = await host.updateRoom({ roomId: 'hoststream', serverMix: { templateId: 1 } });
    expect(on.room.serverMix).toEqual({ templateId: 1 });
    expect(mixOf(on.pushUrl)).toBe(`layer:b;session_id:${opened.room.sessionId};t_id:1`);
    expect((await updated).room.serverMix).toEqual({ templateId: 1 });

    const off = await host.updateRoom({ roomId: 'hoststream', serverMix: null });
    expect(off.room.serverMix).toBeNull();
    expect(mixOf(off.pushUrl)).toBe(`layer:b;session_id:${opened.room.sessionId}`);
    // Other settings leave the mix alone.
    const other = await host.updateRoom({ roomId: 'hoststream', guestLimit: 1 });
    expect(other.room.serverMix).toBeNull();
  });

  it('refuses to switch the mix while a guest is linked (its push URL would be stale), and allows an unchanged value', async () => {
    await host.openRoom({ streamCode: 'hoststream' });
    await link();
    await expect(host.updateRoom({ roomId: 'hoststream', serverMix: { templateId: 1 } })).rejects.toMatchObject({ code: 'INVALID_STATE', field: 'serverMix' });
    expect((await host.updateRoom({ roomId: 'hoststream', serverMix: null })).room.serverMix).toBeNull();
  });

  it('refuses an unknown template and a mix change by someone who is not the host', async () => {
    await host.openRoom({ streamCode: 'hoststream' });
    await expect(host.updateRoom({ roomId: 'hoststream', serverMix: { templateId: 4 } })).rejects.toMatchObject({ code: 'INVALID_MESSAGE' });
    await guest.joinRoom('hoststream');
    await expect(guest.updateRoom({ roomId: 'hoststream', serverMix: { templateId: 1 } })).rejects.toMatchObject({ code: 'NOT_ALLOWED' });
  });

  it('lets an operator make server-side mix the default (defaultServerMix)', async () => {
    await server.close();
    server = await startSignalServer({ defaultServerMix: { templateId: 1 } });
    host = await server.client('host');
    guest = await server.client('guest');
    const opened = await host.openRoom({ streamCode: 'hoststream' });
    expect(opened.room.serverMix).toEqual({ templateId: 1 });
    expect(parseStreamUrl(opened.pushUrl).mix?.templateId).toBe(1);
    expect((await host.openRoom({ streamCode: 'hoststream', serverMix: null })).room.serverMix).toBeNull();
  });
});
