// Real ffmpeg / ffprobe children for tests, each killed by PID and awaited; and a silent test server.
import { spawn, type ChildProcess } from 'node:child_process';
import { pino } from 'pino';
import { BIG_HOST_PRESET, type EncoderSettings } from '../../../common';
import { LinkMicServer, type LinkMicServerOptions } from '../../link-mic-server';

export const FFMPEG = process.env.FFMPEG_PATH ?? '/usr/bin/ffmpeg';
export const FFPROBE = process.env.FFPROBE_PATH ?? '/usr/bin/ffprobe';
export const TEST_KEY = 'e12c46f2612d5106e2034781ab261ca3';

/** A started server on 127.0.0.1 ephemeral ports with a silent logger (set LINKMIC_TEST_LOG=debug to see it). */
export async function startTestServer(options: LinkMicServerOptions = {}): Promise<LinkMicServer> {
  const logger = pino({ level: process.env.LINKMIC_TEST_LOG ?? 'silent' }, pino.destination({ fd: 2, sync: true }));
  const server = new LinkMicServer({ host: '127.0.0.1', rtmpPort: 0, httpPort: 0, key: TEST_KEY, logger, ...options });
  await server.start();
  return server;
}

export interface Child {
  readonly process: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr: string;
  stdout: string;
  /** Kills by PID (SIGKILL after a grace) and waits for the exit. */
  stop(): Promise<void>;
}

export function startChild(command: string, args: readonly string[]): Child {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const result: Child = {
    process: child,
    stderr: '',
    stdout: '',
    exited: new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal }))),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGCONT');
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await result.exited;
      clearTimeout(timer);
    },
  };
  child.stdout!.on('data', (chunk: Buffer) => (result.stdout += chunk.toString('utf8')));
  child.stderr!.on('data', (chunk: Buffer) => (result.stderr += chunk.toString('utf8')));
  return result;
}

/** ffmpeg pushing testsrc2 + sine at a preset (the big host's by default) to an RTMP URL. */
export function startFfmpegPush(url: string, preset: EncoderSettings = BIG_HOST_PRESET, extra: { durationSec?: number } = {}): Child {
  const { width, height, fps, videoBitrateKbps, gopSeconds, audioSampleRate, audioChannels, audioBitrateKbps } = preset;
  return startChild(FFMPEG, [
    '-hide_banner',
    '-loglevel',
    'error',
    '-re',
    '-f',
    'lavfi',
    '-i',
    `testsrc2=size=${width}x${height}:rate=${fps}`,
    '-f',
    'lavfi',
    '-i',
    `sine=frequency=440:sample_rate=${audioSampleRate}`,
    ...(extra.durationSec ? ['-t', String(extra.durationSec)] : []),
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-tune',
    'zerolatency',
    '-g',
    String(Math.round(fps * gopSeconds)),
    '-b:v',
    `${videoBitrateKbps}k`,
    '-c:a',
    'aac',
    '-ar',
    String(audioSampleRate),
    '-ac',
    String(audioChannels),
    '-b:a',
    `${audioBitrateKbps}k`,
    '-f',
    'flv',
    url,
  ]);
}

/** ffprobe's first video stream of a URL: width and height. */
export async function probeVideo(url: string): Promise<{ width: number; height: number; codec: string }> {
  const child = startChild(FFPROBE, ['-v', 'error', '-rw_timeout', '10000000', '-select_streams', 'v:0', '-show_entries', 'stream=codec_name,width,height', '-of', 'json', url]);
  const timer = setTimeout(() => void child.stop(), 15_000);
  const exit = await child.exited;
  clearTimeout(timer);
  if (exit.code !== 0) throw new Error(`ffprobe failed (${exit.code ?? exit.signal}): ${child.stderr}`);
  const stream = (JSON.parse(child.stdout) as { streams: Array<{ codec_name: string; width: number; height: number }> }).streams[0];
  if (!stream) throw new Error(`ffprobe found no video stream in ${url}`);
  return { width: stream.width, height: stream.height, codec: stream.codec_name };
}

/** Resolves when `predicate` holds, polling; rejects after `timeoutMs` with `what`. */
export async function waitFor(predicate: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
