// Pixel geometry of a server-side mix: the template rectangles of common/layout.ts (the same ones
// the client-side mix and the layout editor use) scaled to the output frame and aligned to even
// pixels (4:2:0 chroma). The normalised rule (a party alone fills the frame, …) is
// common/program-geometry.ts, which the console's program monitor draws with too.
import type { LayoutTemplateId, Rect } from '../../common/layout';
import { mixRects } from '../../common/program-geometry';

export { mixRects };

export interface PixelRect {
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
}

function even(value: number): number {
  return Math.max(0, Math.round(value / 2) * 2);
}

/** A normalised rectangle in even pixels of a `width`x`height` frame (never outside it, never empty). */
export function toPixels(rect: Rect, width: number, height: number): PixelRect {
  const x = Math.min(even(rect.x * width), width - 2);
  const y = Math.min(even(rect.y * height), height - 2);
  const right = Math.min(width, even((rect.x + rect.w) * width));
  const bottom = Math.min(height, even((rect.y + rect.h) * height));
  return { x, y, w: Math.max(2, right - x), h: Math.max(2, bottom - y) };
}

/** The pixel rectangles of a mix of `count` parties. */
export function mixPixelRects(templateId: LayoutTemplateId, count: number, width: number, height: number): PixelRect[] {
  return mixRects(templateId, count).map((rect) => toPixels(rect, width, height));
}
