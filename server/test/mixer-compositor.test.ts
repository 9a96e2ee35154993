// The mixer's Node-side compositor without ffmpeg: template rectangles in pixels (common/layout
// geometry), tiles drawn into the output picture, and the audio mix.
import { describe, expect, it } from 'vitest';
import { templateGeometry } from '../../common/layout';
import { AudioFifo, mixAudio } from '../mixer/audio-mixer';
import { mixPixelRects } from '../mixer/mix-geometry';
import { YuvFrame } from '../mixer/yuv-canvas';

function lumaAt(frame: YuvFrame, x: number, y: number): number {
  return frame.data[y * frame.width + x]!;
}

function tone(samples: number, value: number): Buffer {
  const buffer = Buffer.alloc(samples * 2);
  for (let i = 0; i < samples; i++) buffer.writeInt16LE(value, i * 2);
  return buffer;
}

describe('mix geometry', () => {
  it('places template 1’s small host bottom right, as common/layout says, on even pixels', () => {
    const [big, pip] = mixPixelRects(1, 2, 360, 640);
    expect(big).toEqual({ x: 0, y: 0, w: 360, h: 640 });
    const normalised = templateGeometry(1, 2)[1]!;
    expect(Math.abs(pip!.x - normalised.x * 360)).toBeLessThanOrEqual(2);
    expect(Math.abs(pip!.y + pip!.h - (normalised.y + normalised.h) * 640)).toBeLessThanOrEqual(2);
    for (const value of [pip!.x, pip!.y, pip!.w, pip!.h]) expect(value % 2).toBe(0);
    expect(pip!.x + pip!.w).toBeLessThanOrEqual(360);
    expect(pip!.y + pip!.h).toBeLessThanOrEqual(640);
  });

  it('lets a host alone fill the frame in every template (template 2 would leave half of it black)', () => {
    for (const t of [1, 2, 3] as const) expect(mixPixelRects(t, 1, 360, 640)).toEqual([{ x: 0, y: 0, w: 360, h: 640 }]);
  });

  it('holds at most four parties in the grid', () => {
    expect(mixPixelRects(3, 6, 360, 640)).toHaveLength(4);
  });
});

describe('YuvFrame', () => {
  it('copies a tile of the rectangle’s size as is', () => {
    const out = new YuvFrame(360, 640);
    out.fill(16);
    const tile = new YuvFrame(108, 162);
    tile.fill(200, 90, 240);
    out.draw(tile, { x: 240, y: 460, w: 108, h: 162 });
    expect(lumaAt(out, 240, 460)).toBe(200);
    expect(lumaAt(out, 347, 621)).toBe(200);
    expect(lumaAt(out, 239, 460)).toBe(16);
    expect(lumaAt(out, 348, 460)).toBe(16);
    const u = out.data[360 * 640 + (470 / 2) * 180 + 250 / 2];
    expect(u).toBe(90);
  });

  it('covers a rectangle of another shape with the tile’s centre, keeping its proportions', () => {
    const tile = new YuvFrame(360, 640);
    tile.fill(16);
    for (let y = 0; y < 640; y++) tile.data.fill(235, y * 360 + 90, y * 360 + 270); // a bright middle half
    const out = new YuvFrame(360, 640);
    out.fill(16);
    out.draw(tile, { x: 0, y: 0, w: 180, h: 640 });
    // the middle half of the tile fills the left half of the picture
    expect(lumaAt(out, 2, 300)).toBe(235);
    expect(lumaAt(out, 177, 300)).toBe(235);
    expect(lumaAt(out, 182, 300)).toBe(16);
  });
});

describe('audio mix', () => {
  it('adds the parties with saturation and pads a late party with silence', () => {
    const a = new AudioFifo(48_000);
    const b = new AudioFifo(48_000);
    a.push(tone(3200, 20_000));
    b.push(tone(1000, 20_000));
    const mixed = mixAudio([a, b], 3200);
    expect(mixed.readInt16LE(0)).toBe(32_767);
    expect(mixed.readInt16LE(999 * 2)).toBe(32_767);
    expect(mixed.readInt16LE(1000 * 2)).toBe(20_000);
    expect(a.queuedSamples).toBe(0);
  });

  it('keeps a party’s queue short: a burst (the origin’s cached GOP) is trimmed to the newest 150 ms', () => {
    const fifo = new AudioFifo(48_000);
    for (let i = 0; i < 50; i++) fifo.push(tone(1024, i));
    expect(fifo.queuedSamples).toBe(7200);
    expect(fifo.dropped).toBe(50 * 1024 - 7200);
    const out = mixAudio([fifo], 7200);
    expect(out.readInt16LE((7200 - 1) * 2)).toBe(49);
  });
});

describe('YuvFrame shrinking', () => {
  it('box-averages a full-frame host into a grid quarter', () => {
    const tile = new YuvFrame(360, 640);
    for (let y = 0; y < 640; y++) for (let x = 0; x < 360; x++) tile.data[y * 360 + x] = (x + y) % 2 === 0 ? 200 : 100; // a fine checkerboard
    const out = new YuvFrame(360, 640);
    out.fill(16);
    out.draw(tile, { x: 180, y: 320, w: 180, h: 320 });
    expect(lumaAt(out, 200, 400)).toBe(150); // averaged, not aliased to 100 or 200
    expect(lumaAt(out, 179, 400)).toBe(16);
  });
});
