import { describe, expect, it } from 'vitest';
import { defaultLayout, layoutSchema } from '../../common/layout';
import { fittingTemplate, moveRect, raise, reconcileLayout, resizeRect, templateLayout, withRect } from '../console/layout-model';
import { encoderReason, secondsLeft, serverLost } from '../console/studio-views';
import type { StudioState } from '../../common/studio-api';

const host = { userId: 'host', streamCode: 'live_host' };
const guest = { userId: 'guest', streamCode: 'live_guest' };
const peer = { userId: 'peer', streamCode: 'live_peer' };

describe('console layout model', () => {
  it('places a newly linked guest with the template and keeps a hand-made layout when nobody joins', () => {
    const solo = reconcileLayout(null, [host], 1)!;
    expect(solo).toEqual(defaultLayout(1, [host]));
    const withGuest = reconcileLayout(solo, [host, guest], 1)!;
    expect(withGuest.participants.map((p) => p.userId)).toEqual(['host', 'guest']);
    expect(withGuest.participants[1]!.rect.x).toBeGreaterThan(0.5); // PiP bottom right
    const moved = withRect(withGuest, 'guest', moveRect(withGuest.participants[1]!.rect, -0.3, -0.3));
    expect(reconcileLayout(moved, [host, guest], 1)).toBe(moved);
    // The guest leaves: the host keeps its hand-placed rectangle.
    expect(reconcileLayout(moved, [host], 1)!.participants).toEqual([moved.participants[0]]);
  });

  it('falls back to picture-in-picture when the grid cannot hold everyone', () => {
    expect(fittingTemplate(3, 4)).toBe(3);
    expect(fittingTemplate(3, 5)).toBe(1);
    const five = [host, guest, peer, { userId: 'g2', streamCode: 'live_g2' }, { userId: 'g3', streamCode: 'live_g3' }];
    expect(templateLayout(3, five).templateId).toBe(1);
  });

  it('keeps moved and resized rectangles inside the frame and valid for the signal schema', () => {
    const rect = { x: 0.6, y: 0.6, w: 0.3, h: 0.3 };
    expect(moveRect(rect, 0.5, 0.5)).toEqual({ x: 0.7, y: 0.7, w: 0.3, h: 0.3 });
    expect(moveRect(rect, -1, -1)).toEqual({ x: 0, y: 0, w: 0.3, h: 0.3 });
    expect(resizeRect(rect, 1, 1)).toEqual({ x: 0.6, y: 0.6, w: 0.4, h: 0.4 });
    expect(resizeRect(rect, -1, -1)).toEqual({ x: 0.6, y: 0.6, w: 0.1, h: 0.1 });
    const layout = raise(withRect(templateLayout(2, [host, peer]), 'host', resizeRect(moveRect(rect, 0.2, 0.2), 0.3, 0.3)), 'host');
    expect(layoutSchema.safeParse(layout).success).toBe(true);
    expect(layout.participants.find((p) => p.userId === 'host')!.z).toBeGreaterThan(layout.participants.find((p) => p.userId === 'peer')!.z);
  });
});

describe('console state readings', () => {
  const state = (live: Partial<StudioState['live']>, preference: string, available: StudioState['encoder']['available'] = null) =>
    ({ live: { encoder: null, ...live }, encoder: { preference, available } }) as unknown as StudioState;

  it('explains the encoder in use, including a fallback to software', () => {
    expect(encoderReason(state({}, 'auto'))).toBeNull();
    expect(encoderReason(state({ encoder: 'h264_nvenc' }, 'auto'))).toBe('hardware');
    expect(encoderReason(state({ encoder: 'libx264' }, 'auto'))).toBe('fallback');
    expect(encoderReason(state({ encoder: 'libx264' }, 'software'))).toBe('software');
    expect(encoderReason(state({ encoder: 'libx264' }, 'h264_vaapi'))).toBe('fallback');
  });

  it('tells a lost server from one being connected for the first time', () => {
    const server = { signal: 'connecting', status: 'running', lastError: null } as unknown as StudioState['server'];
    expect(serverLost(server)).toBe(true);
    expect(serverLost({ ...server, status: 'starting' })).toBe(false);
    expect(serverLost({ ...server, signal: 'connected' })).toBe(false);
  });

  it('counts down whole seconds and never below zero', () => {
    expect(secondsLeft(10_500, 0)).toBe(11);
    expect(secondsLeft(1000, 5000)).toBe(0);
    expect(secondsLeft(null, 0)).toBe(0);
  });
});
