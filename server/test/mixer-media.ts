// Test media for the mixer: ffmpeg pushes of flat colours (lavfi `color`) at the host presets, and
// a frame grabber that decodes a stream to RGB and keeps its newest picture. Children are killed
// by PID and awaited.
import { spawn, type ChildProcess } from 'node:child_process';
import { BIG_HOST_PRESET, SMALL_HOST_PRESET, type EncoderSettings } from '../../common';
import type { Rect } from '../../common/layout';
import { FFMPEG, startChild, type Child } from './helpers/media';

export type Colour = 'red' | 'green' | 'blue' | 'yellow' | 'white';

/** Pushes a flat colour (and a tone) at a preset to an RTMP URL until stopped. */
export function pushColour(url: string, colour: Colour, preset: EncoderSettings = BIG_HOST_PRESET, toneHz = 440): Child {
  const { width, height, fps, videoBitrateKbps } = preset;
  return startChild(FFMPEG, [
    '-hide_banner', '-loglevel', 'error', '-re',
    '-f', 'lavfi', '-i', `color=c=${colour}:s=${width}x${height}:r=${fps}`,
    '-f', 'lavfi', '-i', `sine=frequency=${toneHz}:sample_rate=48000`,
    '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-g', String(fps), '-sc_threshold', '0', '-b:v', `${videoBitrateKbps}k`,
    '-c:a', 'aac', '-ar', '48000', '-ac', '1', '-b:a', '64k',
    '-f', 'flv', url,
  ]);
}

export const pushSmallColour = (url: string, colour: Colour): Child => pushColour(url, colour, SMALL_HOST_PRESET, 660);

/** Decodes a stream (HTTP-FLV URL) to 360x640 RGB and keeps the newest picture. */
export class FrameGrabber {
  readonly width = 360;
  readonly height = 640;
  latest: Buffer | null = null;
  frames = 0;
  stderr = '';
  private readonly child: ChildProcess;
  private readonly exited: Promise<void>;

  constructor(url: string) {
    const frameBytes = this.width * this.height * 3;
    this.child = spawn(FFMPEG, [
      '-hide_banner', '-loglevel', 'error', '-fflags', 'nobuffer', '-rw_timeout', '10000000', '-i', url,
      '-map', '0:v:0', '-vf', `scale=${this.width}:${this.height}`, '-pix_fmt', 'rgb24', '-f', 'rawvideo', '-fps_mode', 'passthrough', 'pipe:1',
    ], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.exited = new Promise((resolve) => this.child.once('exit', () => resolve()));
    let pending: Buffer = Buffer.alloc(0);
    this.child.stdout!.on('data', (chunk: Buffer) => {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      while (pending.length >= frameBytes) {
        this.latest = Buffer.from(pending.subarray(0, frameBytes));
        this.frames += 1;
        pending = pending.subarray(frameBytes);
      }
    });
    this.child.stderr!.on('data', (chunk: Buffer) => (this.stderr = (this.stderr + chunk.toString()).slice(-2000)));
  }

  /** The dominant colour of the middle of a normalised rectangle of the newest picture. */
  colourAt(rect: Rect): Colour | 'black' | 'mixed' | null {
    const frame = this.latest;
    if (!frame) return null;
    const x0 = Math.floor((rect.x + rect.w * 0.25) * this.width);
    const x1 = Math.floor((rect.x + rect.w * 0.75) * this.width);
    const y0 = Math.floor((rect.y + rect.h * 0.25) * this.height);
    const y1 = Math.floor((rect.y + rect.h * 0.75) * this.height);
    let r = 0;
    let g = 0;
    let b = 0;
    let n = 0;
    for (let y = y0; y < y1; y += 2) {
      for (let x = x0; x < x1; x += 2) {
        const at = (y * this.width + x) * 3;
        r += frame[at]!;
        g += frame[at + 1]!;
        b += frame[at + 2]!;
        n += 1;
      }
    }
    return classify(r / n, g / n, b / n);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    await this.exited;
  }
}

export function classify(r: number, g: number, b: number): Colour | 'black' | 'mixed' {
  const hi = (v: number): boolean => v > 170;
  const lo = (v: number): boolean => v < 80;
  if (hi(r) && hi(g) && hi(b)) return 'white';
  if (hi(r) && lo(g) && lo(b)) return 'red';
  if (lo(r) && g > 90 && lo(b)) return 'green'; // lavfi green is #008000
  if (lo(r) && lo(g) && hi(b)) return 'blue';
  if (hi(r) && hi(g) && lo(b)) return 'yellow';
  if (lo(r) && lo(g) && lo(b)) return 'black';
  return 'mixed';
}
