import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultLayout, templateGeometry } from '../../common/layout';
import type { SignalClient } from '../../common/signal/signal-client';
import { nextEvent, startSignalServer, type SignalTestServer } from './signal-harness';

describe('room layout', () => {
  let server: SignalTestServer;
  let host: SignalClient;
  let guest: SignalClient;
  let viewer: SignalClient;

  beforeEach(async () => {
    server = await startSignalServer();
    host = await server.client('host');
    guest = await server.client('guest');
    viewer = await server.client('viewer');
    await host.openRoom({ streamCode: 'hoststream' });
    await viewer.joinRoom('hoststream');
    const requested = nextEvent(host, 'link.requested');
    const { requestId } = await guest.requestLink('hoststream', 'gueststream');
    await requested;
    await host.acceptLink(requestId);
  });
  afterEach(async () => {
    await server.close();
  });

  it('broadcasts the host layout to viewers and guests, with audience URLs of each stream', async () => {
    const layout = defaultLayout(1, [
      { userId: 'host', streamCode: 'hoststream' },
      { userId: 'guest', streamCode: 'gueststream' },
    ]);
    const atViewer = nextEvent(viewer, 'layout.changed');
    const atGuest = nextEvent(guest, 'layout.changed');
    await host.setLayout({ roomId: 'hoststream', layout });
    const seen = await atViewer;
    expect(seen.layout).toEqual(layout);
    expect(Object.keys(seen.audienceUrls).sort()).toEqual(['gueststream', 'hoststream']);
    expect((await atGuest).layout).toEqual(layout);
    // a late viewer gets it in the room snapshot
    const late = await server.client('late');
    expect((await late.joinRoom('hoststream')).room.layout).toEqual(layout);
  });

  it('refuses a layout naming someone who is not in the room', async () => {
    const layout = defaultLayout(1, [{ userId: 'viewer', streamCode: 'viewerstream' }]);
    await expect(host.setLayout({ roomId: 'hoststream', layout })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', field: 'layout.participants.0.userId' });
  });

  it('refuses a layout with the wrong stream code for a participant', async () => {
    const layout = defaultLayout(1, [{ userId: 'guest', streamCode: 'hoststream' }]);
    await expect(host.setLayout({ roomId: 'hoststream', layout })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('refuses a rectangle outside the frame', async () => {
    const socket = await server.raw('host');
    const answer = await socket.request({
      id: 'l1',
      type: 'layout.set',
      roomId: 'hoststream',
      layout: { templateId: 1, participants: [{ userId: 'host', streamCode: 'hoststream', rect: { x: 0.8, y: 0, w: 0.5, h: 1 }, z: 0 }] },
    });
    expect(answer).toMatchObject({ type: 'error', id: 'l1', error: { code: 'INVALID_MESSAGE', field: 'layout.participants.0.rect.w' } });
  });

  it('refuses a layout from anyone but the host', async () => {
    const layout = defaultLayout(1, [{ userId: 'host', streamCode: 'hoststream' }]);
    await expect(guest.setLayout({ roomId: 'hoststream', layout })).rejects.toMatchObject({ code: 'NOT_ALLOWED' });
  });

  it('drops a guest from the layout when its link ends, and tells the room', async () => {
    const layout = defaultLayout(1, [
      { userId: 'host', streamCode: 'hoststream' },
      { userId: 'guest', streamCode: 'gueststream' },
    ]);
    const first = nextEvent(viewer, 'layout.changed');
    await host.setLayout({ roomId: 'hoststream', layout });
    await first;
    const changed = nextEvent(viewer, 'layout.changed');
    await guest.hangUp(guest.activeLinks[0]!.linkId);
    expect((await changed).layout.participants.map((p) => p.userId)).toEqual(['host']);
  });
});

describe('layout templates', () => {
  it('puts the big host full frame and guests bottom right for template 1 (PiP)', () => {
    const [big, small] = templateGeometry(1, 2);
    expect(big).toEqual({ x: 0, y: 0, w: 1, h: 1 });
    expect(small!.x + small!.w).toBeCloseTo(0.98);
    expect(small!.y + small!.h).toBeCloseTo(0.98);
  });

  it('puts two hosts side by side for template 2 (PK)', () => {
    expect(templateGeometry(2, 2)).toEqual([
      { x: 0, y: 0, w: 0.5, h: 1 },
      { x: 0.5, y: 0, w: 0.5, h: 1 },
    ]);
  });

  it('tiles up to four in a grid for template 3, and no more', () => {
    expect(templateGeometry(3, 4)).toHaveLength(4);
    expect(templateGeometry(3, 4)[3]).toEqual({ x: 0.5, y: 0.5, w: 0.5, h: 0.5 });
    expect(() => templateGeometry(3, 5)).toThrow(RangeError);
  });

  it('keeps every rectangle of every template inside the frame', () => {
    for (const [templateId, max] of [[1, 10], [2, 10], [3, 4]] as const) {
      for (let count = 1; count <= max; count++) {
        for (const r of templateGeometry(templateId, count)) {
          expect(r.x).toBeGreaterThanOrEqual(0);
          expect(r.y).toBeGreaterThanOrEqual(0);
          expect(r.x + r.w).toBeLessThanOrEqual(1 + 1e-9);
          expect(r.y + r.h).toBeLessThanOrEqual(1 + 1e-9);
        }
      }
    }
  });
});
