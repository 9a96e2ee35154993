// The PK battle's score bar in the server mix (issue #14): a strip near the top, the left part in
// the left host's colour and the right part in the right host's colour, split by score share
// (50/50 at 0:0), the scores and the countdown in a 5x7 bitmap font; gone when the battle ends.
import { describe, expect, it } from 'vitest';
import { textWidth } from '../mixer/bitmap-font';
import { BAR_LEFT_YUV, BAR_RIGHT_YUV, barRect, countdownText, drawOverlay, leftShareWidth, textPlacement, type BattleOverlay } from '../mixer/mix-overlay';
import { YuvFrame, type YuvColour } from '../mixer/yuv-canvas';

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
