// What the compositor draws over the parties' pictures: the PK battle's score bar (issue #14).
// A strip near the top of the picture across its width, the left part in the left host's colour
// and the right part in the right host's colour, split by score share (50/50 at 0:0), the scores
// at both ends and the countdown in the middle during the battle; in the result phase the
// winner's part is outlined (a draw: neither). Only digits and ':' are written (bitmap-font.ts),
// so there is no language text in the picture. Each room's audience sees its own host on the
// left, so an overlay's `left` is the mix's own (big) host.
import { BATTLE_BAR_COLOURS, battleSecondsLeft, formatCountdown } from '../../common/signal/pk-battle';
import { GLYPH_HEIGHT, textWidth } from './bitmap-font';
import type { PixelRect } from './mix-geometry';
import type { YuvColour, YuvFrame } from './yuv-canvas';

/** A PK battle as the mix draws it ("left" is the mix's own host). */
export interface BattleOverlay {
  readonly kind: 'battle';
  readonly left: number;
  readonly right: number;
  readonly phase: 'battle' | 'result';
  /** When the battle phase ends (the countdown), in this process's clock (`Date.now()` ms). */
  readonly endsAt: number;
  /** In the result phase: the winning side, or `draw`; null during the battle. */
  readonly winner: 'left' | 'right' | 'draw' | null;
}

export type MixOverlay = BattleOverlay;

/** `#rrggbb` in BT.601 limited-range YUV (what the mix encodes: yuv420p, untagged, read as BT.601). */
export function yuvOfHex(hex: string): YuvColour {
  const value = Number.parseInt(hex.replace(/^#/, ''), 16);
  const r = (value >> 16) & 0xff;
  const g = (value >> 8) & 0xff;
  const b = value & 0xff;
  const clamp = (x: number): number => Math.max(0, Math.min(255, Math.round(x)));
  return {
    y: clamp(16 + (65.481 * r + 128.553 * g + 24.966 * b) / 255),
    u: clamp(128 + (-37.797 * r - 74.203 * g + 112 * b) / 255),
    v: clamp(128 + (112 * r - 93.786 * g - 18.214 * b) / 255),
  };
}

/** The bar's colours: the left (own) host and the right (other) host, as on the consoles. */
export const BAR_LEFT_YUV = yuvOfHex(BATTLE_BAR_COLOURS.own);
export const BAR_RIGHT_YUV = yuvOfHex(BATTLE_BAR_COLOURS.peer);
const TEXT_YUV: YuvColour = { y: 235, u: 128, v: 128 };

/** The strip's top and height as fractions of the picture height. */
export const BAR_TOP = 0.04;
export const BAR_HEIGHT = 0.04;
/** Rows of the strip kept clear of text above and below it, at least. */
const TEXT_MARGIN = 4;

function even(value: number): number {
  return Math.max(0, Math.round(value / 2) * 2);
}

/** The strip's rectangle in a `width`x`height` picture (even pixels, 8 rows at least). */
export function barRect(width: number, height: number): PixelRect {
  return { x: 0, y: even(BAR_TOP * height), w: width, h: Math.max(8, even(BAR_HEIGHT * height)) };
}

/** Width (even pixels) of the left part of a `width` wide bar: the left score's share, half at 0:0. */
export function leftShareWidth(left: number, right: number, width: number): number {
  const total = left + right;
  const share = total > 0 ? left / total : 0.5;
  return Math.min(width, even(share * width));
}

/** `m:ss` until `endsAt` seen at `now`, never negative. */
export function countdownText(endsAt: number, now: number): string {
  return formatCountdown(battleSecondsLeft(endsAt, now, 0));
}

/** Font scale and top row of the text inside the bar: as large as fits with a clear margin, even rows. */
export function textPlacement(bar: PixelRect): { scale: number; y: number } {
  const scale = Math.max(1, Math.floor((bar.h - 2 * TEXT_MARGIN) / GLYPH_HEIGHT));
  return { scale, y: bar.y + Math.max(0, Math.floor((bar.h - GLYPH_HEIGHT * scale) / 4) * 2) };
}

/** Draws the overlay on the composed picture; `now` (`Date.now()` ms) is for the countdown. */
export function drawOverlay(canvas: YuvFrame, overlay: MixOverlay, now: number): void {
  const bar = barRect(canvas.width, canvas.height);
  const split = leftShareWidth(overlay.left, overlay.right, bar.w);
  const leftPart = { x: bar.x, y: bar.y, w: split, h: bar.h };
  const rightPart = { x: bar.x + split, y: bar.y, w: bar.w - split, h: bar.h };
  canvas.fillRect(leftPart, BAR_LEFT_YUV);
  canvas.fillRect(rightPart, BAR_RIGHT_YUV);
  if (overlay.phase === 'result' && (overlay.winner === 'left' || overlay.winner === 'right')) {
    outline(canvas, overlay.winner === 'left' ? leftPart : rightPart);
  }
  const { scale, y } = textPlacement(bar);
  const margin = even(3 * scale);
  const leftText = String(overlay.left);
  const rightText = String(overlay.right);
  canvas.drawText(leftText, bar.x + margin, y, scale, TEXT_YUV);
  canvas.drawText(rightText, bar.x + bar.w - margin - textWidth(rightText, scale), y, scale, TEXT_YUV);
  if (overlay.phase === 'battle') {
    const middle = countdownText(overlay.endsAt, now);
    canvas.drawText(middle, bar.x + even((bar.w - textWidth(middle, scale)) / 2), y, scale, TEXT_YUV);
  }
}

/** A 2-pixel frame just inside `rect`. */
function outline(canvas: YuvFrame, rect: PixelRect): void {
  if (rect.w < 4 || rect.h < 4) return;
  canvas.fillRect({ x: rect.x, y: rect.y, w: rect.w, h: 2 }, TEXT_YUV);
  canvas.fillRect({ x: rect.x, y: rect.y + rect.h - 2, w: rect.w, h: 2 }, TEXT_YUV);
  canvas.fillRect({ x: rect.x, y: rect.y, w: 2, h: rect.h }, TEXT_YUV);
  canvas.fillRect({ x: rect.x + rect.w - 2, y: rect.y, w: 2, h: rect.h }, TEXT_YUV);
}
