// A yuv420p picture in one buffer (the compositor's output frame and each party's latest tile),
// with the two operations the compositor needs: fill, and copy a tile in. When the tile's size
// differs from the rectangle it is scaled to cover the rectangle and centre-cropped — the geometry
// the decoders use: box-averaged when it shrinks by 1.5x or more (the big host, always decoded at
// full frame, in a grid quarter), nearest-neighbour otherwise (a small host's tile for the moment
// its decoder is being resized). Overlays (the PK battle's score bar) use `fillRect` and
// `drawText` (bitmap-font.ts).
import { GLYPH_HEIGHT, GLYPH_SPACING, GLYPH_WIDTH, glyphRows } from './bitmap-font';
import type { PixelRect } from './mix-geometry';

/** A colour in yuv420p (BT.601 limited range). */
export interface YuvColour {
  readonly y: number;
  readonly u: number;
  readonly v: number;
}

export class YuvFrame {
  readonly data: Buffer;

  constructor(
    readonly width: number,
    readonly height: number,
    data?: Buffer,
  ) {
    if (width % 2 !== 0 || height % 2 !== 0) throw new RangeError(`yuv420p needs even sizes, got ${width}x${height}`);
    this.data = data ?? Buffer.alloc(YuvFrame.byteLength(width, height));
  }

  static byteLength(width: number, height: number): number {
    return width * height + 2 * (width / 2) * (height / 2);
  }

  /** Fills with one colour (default black: Y 16, U/V 128). */
  fill(y = 16, u = 128, v = 128): void {
    const luma = this.width * this.height;
    const chroma = luma / 4;
    this.data.fill(y, 0, luma);
    this.data.fill(u, luma, luma + chroma);
    this.data.fill(v, luma + chroma, luma + 2 * chroma);
  }

  /** Fills a rectangle (clipped to the picture); odd edges colour the chroma sample they share. */
  fillRect(rect: PixelRect, colour: YuvColour): void {
    const x0 = Math.max(0, Math.floor(rect.x));
    const y0 = Math.max(0, Math.floor(rect.y));
    const x1 = Math.min(this.width, Math.floor(rect.x + rect.w));
    const y1 = Math.min(this.height, Math.floor(rect.y + rect.h));
    if (x1 <= x0 || y1 <= y0) return;
    for (let row = y0; row < y1; row++) this.data.fill(colour.y, row * this.width + x0, row * this.width + x1);
    const chromaW = this.width / 2;
    const uOffset = this.width * this.height;
    const vOffset = uOffset + chromaW * (this.height / 2);
    const cx0 = Math.floor(x0 / 2);
    const cx1 = Math.ceil(x1 / 2);
    for (let row = Math.floor(y0 / 2); row < Math.ceil(y1 / 2); row++) {
      this.data.fill(colour.u, uOffset + row * chromaW + cx0, uOffset + row * chromaW + cx1);
      this.data.fill(colour.v, vOffset + row * chromaW + cx0, vOffset + row * chromaW + cx1);
    }
  }

  /** Writes `text` in the 5x7 bitmap font, each font pixel a `scale`x`scale` block, top left at (x, y). */
  drawText(text: string, x: number, y: number, scale: number, colour: YuvColour): void {
    let left = x;
    for (const char of text) {
      const rows = glyphRows(char);
      for (let row = 0; row < GLYPH_HEIGHT; row++) {
        const bits = rows[row]!;
        for (let col = 0; col < GLYPH_WIDTH; col++) {
          if (bits & (1 << (GLYPH_WIDTH - 1 - col))) this.fillRect({ x: left + col * scale, y: y + row * scale, w: scale, h: scale }, colour);
        }
      }
      left += (GLYPH_WIDTH + GLYPH_SPACING) * scale;
    }
  }

  /** Draws `tile` into `rect` (even coordinates), scaled to cover it (centre crop) when sizes differ. */
  draw(tile: YuvFrame, rect: PixelRect): void {
    // the part of the tile that covers rect's aspect ratio
    const scale = Math.max(rect.w / tile.width, rect.h / tile.height);
    const cropW = Math.min(tile.width, rect.w / scale);
    const cropH = Math.min(tile.height, rect.h / scale);
    const crop = { x: (tile.width - cropW) / 2, y: (tile.height - cropH) / 2, w: cropW, h: cropH };
    this.drawPlane(tile, rect, 0, crop);
    this.drawPlane(tile, rect, 1, crop);
    this.drawPlane(tile, rect, 2, crop);
  }

  private drawPlane(tile: YuvFrame, rect: PixelRect, plane: 0 | 1 | 2, crop: { x: number; y: number; w: number; h: number }): void {
    const div = plane === 0 ? 1 : 2;
    const dstW = this.width / div;
    const dstH = this.height / div;
    const srcW = tile.width / div;
    const srcH = tile.height / div;
    const dstOffset = plane === 0 ? 0 : this.width * this.height + (plane - 1) * dstW * dstH;
    const srcOffset = plane === 0 ? 0 : tile.width * tile.height + (plane - 1) * srcW * srcH;
    const x0 = rect.x / div;
    const y0 = rect.y / div;
    const w = Math.min(rect.w / div, dstW - x0);
    const h = Math.min(rect.h / div, dstH - y0);
    if (w <= 0 || h <= 0) return;
    const src = tile.data;
    const dst = this.data;
    if (srcW === w && srcH === h) {
      for (let row = 0; row < h; row++) {
        const from = srcOffset + row * srcW;
        src.copy(dst, dstOffset + (y0 + row) * dstW + x0, from, from + w);
      }
      return;
    }
    const cx = crop.x / div;
    const cy = crop.y / div;
    const cw = crop.w / div;
    const ch = crop.h / div;
    if (cw >= w * 1.5 && ch >= h * 1.5) {
      // downscaling by 1.5x or more: average the source box of each output pixel
      for (let row = 0; row < h; row++) {
        const y0s = Math.floor(cy + (row * ch) / h);
        const y1s = Math.max(y0s + 1, Math.min(srcH, Math.floor(cy + ((row + 1) * ch) / h)));
        const dstRow = dstOffset + (y0 + row) * dstW + x0;
        for (let col = 0; col < w; col++) {
          const x0s = Math.floor(cx + (col * cw) / w);
          const x1s = Math.max(x0s + 1, Math.min(srcW, Math.floor(cx + ((col + 1) * cw) / w)));
          let sum = 0;
          for (let sy = y0s; sy < y1s; sy++) {
            const line = srcOffset + sy * srcW;
            for (let sx = x0s; sx < x1s; sx++) sum += src[line + sx]!;
          }
          dst[dstRow + col] = Math.round(sum / ((y1s - y0s) * (x1s - x0s)));
        }
      }
      return;
    }
    for (let row = 0; row < h; row++) {
      const sy = Math.min(srcH - 1, Math.floor(cy + ((row + 0.5) * ch) / h));
      const srcRow = srcOffset + sy * srcW;
      const dstRow = dstOffset + (y0 + row) * dstW + x0;
      for (let col = 0; col < w; col++) dst[dstRow + col] = src[srcRow + Math.min(srcW - 1, Math.floor(cx + ((col + 0.5) * cw) / w))]!;
    }
  }
}
