// The PK battle's score bar in the server mix (issue #14): a strip near the top, the left part in
// the left host's colour and the right part in the right host's colour, split by score share
// (50/50 at 0:0), the scores and the countdown in a 5x7 bitmap font; gone when the battle ends.
import { afterEach, describe, expect, it } from 'vitest';
import { BATTLE_BAR_COLOURS } from '../../common/signal/pk-battle';
import type { SignalClient } from '../../common/signal/signal-client';
import type { LinkMicServer } from '../link-mic-server';
import { textWidth } from '../mixer/bitmap-font';
import { battleOverlay } from '../mixer/server-mixer';
import { BAR_LEFT_YUV, BAR_RIGHT_YUV, barRect, countdownText, drawOverlay, leftShareWidth, textPlacement, type BattleOverlay } from '../mixer/mix-overlay';
import { YuvFrame, type YuvColour } from '../mixer/yuv-canvas';
import { devLoginClient } from './helpers/dev-login-client';
import { startTestServer, waitFor } from './helpers/media';
import { FrameGrabber, pushColour } from './mixer-media';

const W = 360;
const H = 640;

function yuvAt(frame: YuvFrame, x: number, y: number): YuvColour {
  const chromaW = frame.width / 2;
  const u = frame.width * frame.height;
  const v = u + chromaW * (frame.height / 2);
  const c = Math.floor(y / 2) * chromaW + Math.floor(x / 2);
  return { y: frame.data[y * frame.width + x]!, u: frame.data[u + c]!, v: frame.data[v + c]! };
}

function battle(left: number, right: number, extra: Partial<BattleOverlay> = {}): BattleOverlay {
  return { kind: 'battle', left, right, phase: 'battle', endsAt: 100_000, winner: null, ...extra };
}

/** Columns of one row whose pixel is exactly `colour`. */
function columnsOf(frame: YuvFrame, row: number, colour: YuvColour): number {
  let count = 0;
  for (let x = 0; x < frame.width; x++) {
    const p = yuvAt(frame, x, row);
    if (p.y === colour.y && p.u === colour.u && p.v === colour.v) count += 1;
  }
  return count;
}

describe('the score bar on a picture (no ffmpeg)', () => {
  it('splits the bar by score share: 3:1 gives the left host three quarters, 0:0 half each', () => {
    expect(leftShareWidth(3, 1, W)).toBe(270);
    expect(leftShareWidth(0, 0, W)).toBe(180);
    expect(leftShareWidth(0, 5, W)).toBe(0);
    expect(leftShareWidth(5, 0, W)).toBe(W);
  });

  it('draws a strip near the top in the two hosts’ colours and leaves the picture below it alone', () => {
    const frame = new YuvFrame(W, H);
    frame.fill(145, 54, 34); // a green picture
    drawOverlay(frame, battle(3, 1), 90_000);
    const bar = barRect(W, H);
    expect(bar.y).toBeGreaterThan(0);
    expect(bar.y + bar.h).toBeLessThan(H * 0.1);
    const clearRow = bar.y + 2; // above the text
    expect(columnsOf(frame, clearRow, BAR_LEFT_YUV)).toBe(270);
    expect(columnsOf(frame, clearRow, BAR_RIGHT_YUV)).toBe(90);
    expect(yuvAt(frame, 10, bar.y - 1)).toEqual({ y: 145, u: 54, v: 34 });
    expect(yuvAt(frame, 10, bar.y + bar.h)).toEqual({ y: 145, u: 54, v: 34 });
  });

  it('writes the scores at both ends and the countdown in the middle, in white, clear of the bar’s edges', () => {
    const frame = new YuvFrame(W, H);
    frame.fill();
    drawOverlay(frame, battle(3, 1), 100_000 - 61_500);
    const bar = barRect(W, H);
    const { scale, y } = textPlacement(bar);
    expect(scale).toBeGreaterThanOrEqual(2);
    expect(y - bar.y).toBeGreaterThanOrEqual(4);
    expect(bar.y + bar.h - (y + 7 * scale)).toBeGreaterThanOrEqual(4);
    const whiteIn = (x0: number, x1: number): number => {
      let n = 0;
      for (let row = y; row < y + 7 * scale; row++) for (let x = x0; x < x1; x++) if (frame.data[row * W + x] === 235) n += 1;
      return n;
    };
    expect(countdownText(100_000, 100_000 - 61_500)).toBe('1:02');
    const middle = textWidth('1:02', scale);
    expect(whiteIn(Math.floor((W - middle) / 2), Math.ceil((W + middle) / 2))).toBeGreaterThan(0);
    expect(whiteIn(0, 30)).toBeGreaterThan(0); // "3"
    expect(whiteIn(W - 30, W)).toBeGreaterThan(0); // "1"
    expect(whiteIn(40, 130)).toBe(0); // nothing between the score and the countdown
  });

  it('puts the mix’s own room on the left and moves the end time from the signalling clock into the mixer’s', () => {
    const read = { own: 1, peer: 3, phase: 'battle' as const, endsAt: 50_000, winner: null, serverTime: 20_000 };
    expect(battleOverlay(read, 1_000_000)).toEqual({ kind: 'battle', left: 1, right: 3, phase: 'battle', endsAt: 1_030_000, winner: null });
    expect(battleOverlay({ ...read, phase: 'result', winner: 'peer' }, 0).winner).toBe('right');
    expect(battleOverlay({ ...read, phase: 'result', winner: 'own' }, 0).winner).toBe('left');
    expect(battleOverlay({ ...read, phase: 'result', winner: 'draw' }, 0).winner).toBe('draw');
  });

  it('outlines the winner’s part in the result phase and shows no countdown', () => {
    const frame = new YuvFrame(W, H);
    frame.fill();
    drawOverlay(frame, battle(1, 3, { phase: 'result', winner: 'right' }), 0);
    const bar = barRect(W, H);
    expect(yuvAt(frame, 200, bar.y).y).toBe(235); // the right part's top edge
    expect(yuvAt(frame, 40, bar.y)).toEqual(BAR_LEFT_YUV);
    const { y } = textPlacement(bar);
    let middleWhite = 0;
    for (let x = 150; x < 210; x++) if (frame.data[(y + 4) * W + x] === 235) middleWhite += 1;
    expect(middleWhite).toBe(0);
  });
});

// ---- a real mix: two real ffmpeg publishers, the real origin, signalling over WebSockets --------

type StripColour = 'left' | 'right' | 'green' | 'yellow' | 'white' | 'other';

function rgbOfHex(hex: string): [number, number, number] {
  const value = Number.parseInt(hex.slice(1), 16);
  return [(value >> 16) & 0xff, (value >> 8) & 0xff, value & 0xff];
}

/** The colours the strip's pixels can be: the bar's two parts, the hosts' pictures (green, yellow), the text. */
const REFERENCES: Array<[StripColour, [number, number, number]]> = [
  ['left', rgbOfHex(BATTLE_BAR_COLOURS.own)],
  ['right', rgbOfHex(BATTLE_BAR_COLOURS.peer)],
  ['green', [0, 128, 0]],
  ['yellow', [255, 255, 0]],
  ['white', [255, 255, 255]],
];

function nearest(r: number, g: number, b: number): StripColour {
  let best: StripColour = 'other';
  let bestDistance = 60 * 60 * 3; // farther than this from every reference: 'other'
  for (const [name, [rr, gg, bb]] of REFERENCES) {
    const distance = (r - rr) ** 2 + (g - gg) ** 2 + (b - bb) ** 2;
    if (distance < bestDistance) {
      best = name;
      bestDistance = distance;
    }
  }
  return best;
}

/**
 * The share of the strip's columns (0..1) of each colour in the newest decoded picture: two rows
 * inside the strip, clear of its text and of the winner's outline, both rows must agree.
 */
function stripShares(grabber: FrameGrabber): Record<StripColour, number> | null {
  const frame = grabber.latest;
  if (!frame) return null;
  const bar = barRect(grabber.width, grabber.height);
  const rows = [bar.y + 3, bar.y + bar.h - 4];
  const counts: Record<StripColour, number> = { left: 0, right: 0, green: 0, yellow: 0, white: 0, other: 0 };
  for (let x = 0; x < grabber.width; x++) {
    const seen = rows.map((y) => {
      const at = (y * grabber.width + x) * 3;
      return nearest(frame[at]!, frame[at + 1]!, frame[at + 2]!);
    });
    counts[seen.every((c) => c === seen[0]) ? seen[0]! : 'other'] += 1;
  }
  const shares = { ...counts };
  for (const key of Object.keys(shares) as StripColour[]) shares[key] = counts[key] / grabber.width;
  return shares;
}

function describeShares(shares: Record<StripColour, number> | null): string {
  if (!shares) return 'no picture yet';
  return Object.entries(shares)
    .filter(([, share]) => share > 0)
    .map(([name, share]) => `${name} ${(share * 100).toFixed(0)}%`)
    .join(', ');
}

/** The strip shows the bar with the left part covering `left` (0..1) of its width, give or take 5 %. */
function barSplitIs(grabber: FrameGrabber, left: number): boolean {
  const shares = stripShares(grabber);
  return shares !== null && Math.abs(shares.left - left) <= 0.05 && Math.abs(shares.right - (1 - left)) <= 0.05;
}

describe('the score bar in a real server mix', () => {
  let server: LinkMicServer | undefined;
  const clients: SignalClient[] = [];
  const children: Array<{ stop(): Promise<void> }> = [];

  afterEach(async () => {
    for (const client of clients.splice(0)) client.close();
    await Promise.all(children.splice(0).map((child) => child.stop()));
    await server?.close();
    server = undefined;
  });

  function track<T extends { stop(): Promise<void> }>(child: T): T {
    children.push(child);
    return child;
  }

  async function login(userId: string): Promise<SignalClient> {
    const client = await devLoginClient(server!, userId);
    clients.push(client);
    return client;
  }

  it('draws the battle across both rooms’ mixes, split by score share with each room’s host on the left, and removes it when the battle ends', async () => {
    server = await startTestServer({ signal: { battleTestDurationSec: 15, battleResultMs: 2000 } });
    const hostA = await login('barhosta');
    const hostB = await login('barhostb');
    const roomA = await hostA.openRoom({ streamCode: 'barrooma', templateId: 2 });
    const roomB = await hostB.openRoom({ streamCode: 'barroomb', templateId: 2 });
    track(pushColour(roomA.pushUrl, 'green'));
    track(pushColour(roomB.pushUrl, 'yellow', undefined, 660));
    await waitFor(() => server!.mixer.status('barrooma')?.state === 'running' && server!.mixer.status('barroomb')?.state === 'running', 'both mixes');
    const audienceA = track(new FrameGrabber(`${server!.httpUrl}/live/barrooma.flv`));
    const audienceB = track(new FrameGrabber(`${server!.httpUrl}/live/barroomb.flv`));
    // before the battle: the strip is the host's own picture
    await waitFor(() => (stripShares(audienceA)?.green ?? 0) > 0.95, `room A's picture under the strip (${describeShares(stripShares(audienceA))})`);

    const fanA = await login('barfana');
    const fanB = await login('barfanb');
    await fanA.joinRoom('barrooma');
    await fanB.joinRoom('barroomb');
    const { pkId } = await hostA.invitePk('barroomb', 15);
    await hostB.acceptPk(pkId);
    // 0:0 is half and half
    await waitFor(() => barSplitIs(audienceA, 0.5), `room A's bar at 0:0 (${describeShares(stripShares(audienceA))})`);

    // 3:1 for room A: three likes from room A's fan, one from room B's
    for (let i = 0; i < 3; i++) await fanA.votePk(pkId, 'barrooma', 'like');
    await fanB.votePk(pkId, 'barroomb', 'like');
    await waitFor(() => barSplitIs(audienceA, 0.75), `room A's bar at 3:1 (${describeShares(stripShares(audienceA))})`);
    // room B's audience sees its own host on the left: 1:3
    await waitFor(() => barSplitIs(audienceB, 0.25), `room B's bar at 1:3 (${describeShares(stripShares(audienceB))})`);
    expect(server.mixer.status('barrooma')!.parties.map((p) => p.role)).toEqual(['big', 'pk-peer']);
    const api = (await (await fetch(`${server.httpUrl}/api/streams`)).json()) as { streams: Array<{ code: string; mix: { overlay: unknown } | null }> };
    expect(api.streams.find((s) => s.code === 'barroomb')!.mix!.overlay).toEqual({ kind: 'battle', left: 1, right: 3, phase: 'battle' });

    // the battle runs out, the result phase ends, the PK finishes: the strip is the pictures again
    await waitFor(() => {
      const shares = stripShares(audienceA);
      return shares !== null && shares.left + shares.right === 0 && shares.green > 0.95;
    }, `room A's strip without the bar after the battle (${describeShares(stripShares(audienceA))})`, 30_000);
    await waitFor(() => {
      const shares = stripShares(audienceB);
      return shares !== null && shares.left + shares.right === 0 && shares.yellow > 0.95;
    }, `room B's strip without the bar after the battle (${describeShares(stripShares(audienceB))})`);
    expect(server.mixer.status('barrooma')!.overlay).toBeNull();
  });
});
