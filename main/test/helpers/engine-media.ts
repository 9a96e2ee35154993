// Media checks for engine tests: run a child to completion, ffprobe a pulled stream, measure the
// video bitrate, pull decoded PCM, find a tone, and wait for PIDs to disappear.
import { spawn } from 'node:child_process';

export interface ChildResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: Buffer;
  readonly stderr: string;
}

/** Runs a command to completion (killing it by PID after `timeoutMs`), always waiting for its exit. */
export function runChild(command: string, args: readonly string[], timeoutMs = 30_000, env?: NodeJS.ProcessEnv): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: env ?? process.env });
    const out: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      if (err.length < 1_000_000) err += chunk;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout: Buffer.concat(out), stderr: err });
    });
  });
}

export interface ProbedStream {
  readonly codec_type: string;
  readonly codec_name: string;
  readonly width?: number;
  readonly height?: number;
  readonly sample_rate?: string;
  readonly channels?: number;
}

/** ffprobe's view of a live stream's tracks. */
export async function probeStreams(url: string): Promise<ProbedStream[]> {
  const result = await runChild('ffprobe', ['-v', 'error', '-rw_timeout', '10000000', '-show_streams', '-of', 'json', '-i', url], 30_000);
  if (result.code !== 0) throw new Error(`ffprobe failed (${result.code}): ${result.stderr}`);
  return (JSON.parse(result.stdout.toString('utf8')) as { streams: ProbedStream[] }).streams;
}

/** Average video bitrate (kbit/s) over `seconds` of media pulled from a live stream (stream copy). */
export async function measureVideoKbps(url: string, seconds: number): Promise<number> {
  const result = await runChild(
    'ffmpeg',
    ['-hide_banner', '-nostdin', '-rw_timeout', '10000000', '-i', url, '-map', '0:v', '-t', String(seconds), '-c', 'copy', '-f', 'null', '-'],
    60_000,
  );
  const match = /video:\s*(\d+)(kB|KiB)/.exec(result.stderr);
  if (!match) throw new Error(`no size in ffmpeg output (${result.code}): ${result.stderr.slice(-800)}`);
  return (Number(match[1]) * 1024 * 8) / 1000 / seconds;
}

/** `seconds` of decoded mono 48 kHz s16le audio pulled from a live stream, skipping `skipSeconds`. */
export async function pullPcm(url: string, seconds: number, skipSeconds = 0): Promise<Int16Array> {
  const result = await runChild(
    'ffmpeg',
    [
      '-hide_banner', '-nostdin', '-rw_timeout', '10000000', '-i', url,
      '-vn', '-ss', String(skipSeconds), '-t', String(seconds), '-ac', '1', '-ar', '48000', '-f', 's16le', 'pipe:1',
    ],
    60_000,
  );
  if (result.stdout.length === 0) throw new Error(`no audio pulled (${result.code}): ${result.stderr.slice(-800)}`);
  const bytes = result.stdout;
  return new Int16Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + (bytes.length - (bytes.length % 2))));
}

/**
 * Share of the signal's energy at `frequency`, 0..1, and its RMS (0..1). Goertzel over 100 ms
 * blocks, so a phase jump (a looped file, a dropped packet) spoils one block, not the whole answer.
 */
export function toneShare(samples: Int16Array, frequency: number, sampleRate = 48_000): { share: number; rms: number } {
  const block = Math.round(sampleRate / 10);
  let tonePower = 0;
  let energy = 0;
  for (let offset = 0; offset + block <= samples.length; offset += block) {
    const k = Math.round((block * frequency) / sampleRate);
    const coeff = 2 * Math.cos((2 * Math.PI * k) / block);
    let s1 = 0;
    let s2 = 0;
    for (let i = offset; i < offset + block; i++) {
      const x = (samples[i] as number) / 32768;
      energy += x * x;
      const s0 = x + coeff * s1 - s2;
      s2 = s1;
      s1 = s0;
    }
    // A pure tone of amplitude A over n samples: |X(k)|^2 = (A n / 2)^2 and its energy A^2 n / 2.
    tonePower += (2 * (s1 * s1 + s2 * s2 - coeff * s1 * s2)) / block;
  }
  const counted = Math.floor(samples.length / block) * block;
  return { share: energy === 0 ? 0 : Math.min(1, tonePower / energy), rms: counted === 0 ? 0 : Math.sqrt(energy / counted) };
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Polls `predicate` every 100 ms until true; throws after `timeoutMs` (a bound, not a timing assertion). */
export async function waitUntil(predicate: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await predicate()) return;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A 1 kHz (or other) sine as mono s16le, `ms` long, continuing phase from `startSample`. */
export function sineFrame(frequency: number, ms: number, startSample: number, amplitude = 0.5, sampleRate = 48_000): Int16Array {
  const count = Math.round((sampleRate * ms) / 1000);
  const out = new Int16Array(count);
  for (let i = 0; i < count; i++) out[i] = Math.round(amplitude * 32767 * Math.sin((2 * Math.PI * frequency * (startSample + i)) / sampleRate));
  return out;
}
