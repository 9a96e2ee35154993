// OBS program screenshots as pixels: GetSourceScreenshot (PNG data URI) decoded by the real ffmpeg
// into RGB, and the mean colour of a normalised box of it.
import { spawn } from 'node:child_process';
import type { Rect } from '../../../common/layout';
import type { ObsClient } from '../../obs/obs-client';

export interface RgbImage {
  readonly width: number;
  readonly height: number;
  /** rgb24, row by row */
  readonly data: Buffer;
}

export async function programScreenshot(client: ObsClient, width: number, height: number): Promise<RgbImage> {
  const program = await client.call('GetCurrentProgramScene');
  const shot = await client.call('GetSourceScreenshot', {
    sourceName: program.currentProgramSceneName,
    imageFormat: 'png',
    imageWidth: width,
    imageHeight: height,
  });
  const png = Buffer.from(shot.imageData.replace(/^data:image\/png;base64,/, ''), 'base64');
  return { width, height, data: await decodePng(png, width, height) };
}

function decodePng(png: Buffer, width: number, height: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'png_pipe', '-i', 'pipe:0', '-vf', `scale=${width}:${height}`, '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
    child.once('error', reject);
    child.once('close', (code) => {
      const data = Buffer.concat(out);
      if (code === 0 && data.length === width * height * 3) resolve(data);
      else reject(new Error(`could not decode the screenshot (${code}): ${err}`));
    });
    child.stdin.end(png);
  });
}

/** Mean R, G, B (0..255) inside `rect` (normalised), shrunk by `inset` of its size on each side. */
export function meanColour(image: RgbImage, rect: Rect, inset = 0.2): { r: number; g: number; b: number } {
  const x0 = Math.floor((rect.x + rect.w * inset) * image.width);
  const x1 = Math.ceil((rect.x + rect.w * (1 - inset)) * image.width);
  const y0 = Math.floor((rect.y + rect.h * inset) * image.height);
  const y1 = Math.ceil((rect.y + rect.h * (1 - inset)) * image.height);
  let r = 0;
  let g = 0;
  let b = 0;
  let n = 0;
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const i = (y * image.width + x) * 3;
      r += image.data[i]!;
      g += image.data[i + 1]!;
      b += image.data[i + 2]!;
      n++;
    }
  }
  return n === 0 ? { r: 0, g: 0, b: 0 } : { r: r / n, g: g / n, b: b / n };
}

/** Whether a mean colour is clearly red (the test guests push lavfi `color=red`). */
export function isRed(colour: { r: number; g: number; b: number }): boolean {
  return colour.r > 150 && colour.g < 80 && colour.b < 80;
}

/** Whether a mean colour is (near) black: an empty part of OBS's program. */
export function isBlack(colour: { r: number; g: number; b: number }): boolean {
  return colour.r < 25 && colour.g < 25 && colour.b < 25;
}
