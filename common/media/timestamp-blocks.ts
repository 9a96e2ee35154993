// The glass-to-glass test signal: a frame's creation time (low 32 bits of Date.now()), a frame
// counter and a CRC-8, drawn as 40x40 black/white blocks in the top-left of a gray frame. The
// source writes them, the page reads them back from what is actually on screen.

export const BLOCK_SIZE = 40;
export const BLOCK_COLUMNS = 8;
/** 32 bits of time, 16 of counter, 8 of CRC. */
export const BLOCK_BITS = 56;
export const BLOCK_ROWS = BLOCK_BITS / BLOCK_COLUMNS;

export interface TimestampStamp {
  /** Low 32 bits of the creation Date.now(). */
  readonly timeLow32: number;
  /** Frame counter modulo 65536. */
  readonly counter: number;
}

export function crc8(bytes: readonly number[]): number {
  let crc = 0;
  for (const byte of bytes) {
    crc ^= byte & 0xff;
    for (let i = 0; i < 8; i += 1) crc = crc & 0x80 ? ((crc << 1) ^ 0x07) & 0xff : (crc << 1) & 0xff;
  }
  return crc;
}

function payloadBytes(stamp: TimestampStamp): number[] {
  const t = stamp.timeLow32 >>> 0;
  return [(t >>> 24) & 0xff, (t >>> 16) & 0xff, (t >>> 8) & 0xff, t & 0xff, (stamp.counter >>> 8) & 0xff, stamp.counter & 0xff];
}

/** The 56 bits to draw, most significant first. */
export function stampBits(stamp: TimestampStamp): number[] {
  const bytes = payloadBytes(stamp);
  bytes.push(crc8(bytes));
  const bits: number[] = [];
  for (const byte of bytes) for (let i = 7; i >= 0; i -= 1) bits.push((byte >> i) & 1);
  return bits;
}

/** Draws the stamp into a gray (Y plane) frame of `width` bytes per row. */
export function drawStamp(gray: Uint8Array, width: number, stamp: TimestampStamp): void {
  const bits = stampBits(stamp);
  for (let b = 0; b < BLOCK_BITS; b += 1) {
    const x0 = (b % BLOCK_COLUMNS) * BLOCK_SIZE;
    const y0 = Math.floor(b / BLOCK_COLUMNS) * BLOCK_SIZE;
    const value = bits[b] === 1 ? 235 : 16;
    for (let y = y0; y < y0 + BLOCK_SIZE; y += 1) gray.fill(value, y * width + x0, y * width + x0 + BLOCK_SIZE);
  }
}

/**
 * Reads a stamp back. `luma(x, y)` returns the brightness (0-255) at a pixel of the displayed
 * picture, in source-frame coordinates. Returns null when the CRC does not match (a torn or
 * blank picture).
 */
export function readStamp(luma: (x: number, y: number) => number): TimestampStamp | null {
  const bits: number[] = [];
  for (let b = 0; b < BLOCK_BITS; b += 1) {
    const cx = (b % BLOCK_COLUMNS) * BLOCK_SIZE + BLOCK_SIZE / 2;
    const cy = Math.floor(b / BLOCK_COLUMNS) * BLOCK_SIZE + BLOCK_SIZE / 2;
    let sum = 0;
    for (const [dx, dy] of [[-8, -8], [8, -8], [-8, 8], [8, 8], [0, 0]] as const) sum += luma(cx + dx, cy + dy);
    bits.push(sum / 5 > 128 ? 1 : 0);
  }
  const bytes: number[] = [];
  for (let i = 0; i < 7; i += 1) {
    let byte = 0;
    for (let k = 0; k < 8; k += 1) byte = (byte << 1) | (bits[i * 8 + k] ?? 0);
    bytes.push(byte);
  }
  if (crc8(bytes.slice(0, 6)) !== bytes[6]) return null;
  const [a = 0, b = 0, c = 0, d = 0, e = 0, f = 0] = bytes;
  return { timeLow32: ((a << 24) | (b << 16) | (c << 8) | d) >>> 0, counter: (e << 8) | f };
}

/** Milliseconds from a stamp's creation to `nowMs` (a Date.now() value). */
export function stampAgeMs(stamp: TimestampStamp, nowMs: number): number {
  const age = ((nowMs >>> 0) - stamp.timeLow32) >>> 0;
  return age > 0x7fffffff ? age - 0x100000000 : age;
}
