// Test speech for echo measurements: espeak-ng voices resampled to 48 kHz mono s16 with sox,
// padded and concatenated into timelines. Also reads/writes the plain PCM wav files involved.
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export const RATE = 48_000;

/** Two clearly different talkers (voice, pitch, speed) with different texts. */
export const FAR_END_VOICE = { voice: 'en-us', pitch: 40, speed: 165 } as const;
export const NEAR_END_VOICE = { voice: 'en-gb+f3', pitch: 70, speed: 150 } as const;

export const FAR_END_TEXT =
  'Hello everyone, welcome back to the stream. Today we are linking up with another room for a friendly challenge. ' +
  'The rules are simple: each side gets three minutes, and the audience votes at the end. ' +
  'Remember to follow both channels, and let us know in the chat which team you support. ' +
  'We will start in a moment, so grab a drink and get comfortable.';

export const NEAR_END_TEXT =
  'Thanks for having me. I brought my own playlist tonight, and I think our viewers will love it. ' +
  'Let me check the chat first. Somebody says the sound is great, so we are ready to go.';

export interface Voice {
  readonly voice: string;
  readonly pitch: number;
  readonly speed: number;
}

/** Synthesises `text` to a 48 kHz mono s16 wav peak -6 dBFS; returns the path. */
export async function synthesize(dir: string, name: string, text: string, voice: Voice, maxSeconds?: number): Promise<string> {
  const raw = join(dir, `${name}.espeak.wav`);
  const out = join(dir, `${name}.wav`);
  await execFileAsync('espeak-ng', ['-v', voice.voice, '-p', String(voice.pitch), '-s', String(voice.speed), '-w', raw, text], { timeout: 30_000 });
  const effects = ['rate', '-v', String(RATE)];
  if (maxSeconds !== undefined) effects.push('trim', '0', String(maxSeconds));
  effects.push('norm', '-6'); // peak -6 dBFS: speech RMS lands near -27 dBFS, and far + near cannot clip
  await execFileAsync('sox', [raw, '-r', String(RATE), '-c', '1', '-b', '16', '-e', 'signed-integer', out, ...effects], { timeout: 30_000 });
  return out;
}

/** Reads a 16-bit PCM mono wav (as written by sox) into Int16 samples. */
export async function readWav(path: string): Promise<{ rate: number; samples: Int16Array }> {
  const buf = await readFile(path);
  if (buf.toString('ascii', 0, 4) !== 'RIFF' || buf.toString('ascii', 8, 12) !== 'WAVE') throw new Error(`${path} is not a wav`);
  let offset = 12;
  let rate = 0;
  let channels = 0;
  let bits = 0;
  while (offset + 8 <= buf.length) {
    const id = buf.toString('ascii', offset, offset + 4);
    const size = buf.readUInt32LE(offset + 4);
    const body = offset + 8;
    if (id === 'fmt ') {
      channels = buf.readUInt16LE(body + 2);
      rate = buf.readUInt32LE(body + 4);
      bits = buf.readUInt16LE(body + 14);
    } else if (id === 'data') {
      if (bits !== 16 || channels !== 1) throw new Error(`${path}: need 16-bit mono, got ${bits}-bit ${channels} ch`);
      const end = Math.min(buf.length, body + size);
      const samples = new Int16Array(Math.floor((end - body) / 2));
      for (let i = 0; i < samples.length; i += 1) samples[i] = buf.readInt16LE(body + 2 * i);
      return { rate, samples };
    }
    offset = body + size + (size % 2);
  }
  throw new Error(`${path}: no data chunk`);
}

/** Writes Int16 mono samples as a wav. */
export async function writeWav(path: string, samples: Int16Array, rate = RATE): Promise<void> {
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + samples.length * 2, 4);
  header.write('WAVE', 8, 'ascii');
  header.write('fmt ', 12, 'ascii');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(rate, 24);
  header.writeUInt32LE(rate * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(samples.length * 2, 40);
  await writeFile(path, Buffer.concat([header, Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength)]));
}

/** Places clips on a silent timeline: [{at seconds, samples}] → one array of `seconds` length. */
export function timeline(seconds: number, clips: readonly { at: number; samples: Int16Array; maxSeconds?: number }[], rate = RATE): Int16Array {
  const out = new Int16Array(Math.round(seconds * rate));
  for (const clip of clips) {
    const start = Math.round(clip.at * rate);
    const limit = clip.maxSeconds === undefined ? clip.samples.length : Math.min(clip.samples.length, Math.round(clip.maxSeconds * rate));
    const length = Math.min(limit, out.length - start);
    if (length > 0) out.set(clip.samples.subarray(0, length), start);
  }
  return out;
}

/** Repeats a clip until it is at least `seconds` long (with `gap` seconds of silence between). */
export function loopTo(samples: Int16Array, seconds: number, gap = 0.3, rate = RATE): Int16Array {
  const total = Math.round(seconds * rate);
  const out = new Int16Array(total);
  const period = samples.length + Math.round(gap * rate);
  for (let start = 0; start < total; start += period) out.set(samples.subarray(0, Math.min(samples.length, total - start)), start);
  return out;
}
