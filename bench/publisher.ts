// bench:publisher — how long the publisher holds audio, measured at ffmpeg's output (no network).
//
// A Node loop writes raw pictures (360x640 @ 15 fps) to ffmpeg's stdin and a 440 Hz tone as s16le
// PCM in 5 ms chunks on fd 3, both on the wall clock, as the push engine's renderer-fed audio does.
// ffmpeg encodes with the push engine's own options (main/engine: encoderArgs, audioEncoderArgs,
// liveMuxerArgs) and writes FLV to pipes instead of RTMP; every tag is timestamped on arrival.
// Per tag: audio hold = arrival − (first sample's wall time + one AAC frame, 21.3 ms), i.e. how
// long after its last sample was captured a frame leaves ffmpeg; video hold = arrival − capture.
// Variants, alternating for BENCH_ROUNDS rounds (default 2), 15 s measured each after 3 s:
//   engine    — the push engine's muxer today: one FLV output, both tracks (dts interleaving)
//   split     — the same encoders, each track to its own FLV output (no cross-track interleaving)
//   audioOnly — the AAC encoder alone in its own ffmpeg (no video encode in the same thread)
//   pcmOnly   — no encoder: the PCM resampled to 44.1 kHz and muxed as FLV PCM (ffmpeg's own hold
//               of demuxer, filters and muxer; the AAC encoder's share is audioOnly minus this)
// BENCH_VARIANTS=a,b picks variants (default all).
// BENCH_LOAD=n adds n busy shell loops (started and killed by PID) to load the cores.
// Ends with one JSON line of figures. Bounded: ~19 s per variant and round.
import { spawn, type ChildProcess } from 'node:child_process';
import { loadavg } from 'node:os';
import type { Readable, Writable } from 'node:stream';
import { FlvDemuxer } from '../common/media/flv-demuxer';
import { BIG_HOST_PRESET, type EncoderSettings } from '../common/presets';
import { audioEncoderArgs, encoderArgs } from '../main/engine/encoder-args';
import { liveMuxerArgs } from '../main/engine/push-command';
import { nearestRank, sortedAscending } from './helpers/percentile';

const WIDTH = 360;
const HEIGHT = 640;
const FPS = 15;
const SAMPLE_RATE = 48_000;
const CHUNK = 240;
const AAC_FRAME_MS = (1024 / SAMPLE_RATE) * 1000;
const WARMUP_MS = 3000;
const MEASURE_MS = 15_000;
const ROUNDS = Math.min(5, Math.max(1, Number(process.env.BENCH_ROUNDS ?? 2)));
const LOAD = Math.min(4, Math.max(0, Number(process.env.BENCH_LOAD ?? 0)));
const ALL_VARIANTS = ['engine', 'split', 'audioOnly', 'pcmOnly'] as const;
type Variant = (typeof ALL_VARIANTS)[number];
const VARIANTS: readonly Variant[] = process.env.BENCH_VARIANTS
  ? ALL_VARIANTS.filter((v) => process.env.BENCH_VARIANTS!.split(',').includes(v))
  : ALL_VARIANTS;

const settings: EncoderSettings = { ...BIG_HOST_PRESET, width: WIDTH, height: HEIGHT, fps: FPS, videoBitrateKbps: 800 };
const videoIn = ['-f', 'rawvideo', '-pix_fmt', 'gray', '-s', `${WIDTH}x${HEIGHT}`, '-framerate', String(FPS), '-i', 'pipe:0'];
const audioIn = (fd: number) => ['-f', 's16le', '-ar', String(SAMPLE_RATE), '-ac', '1', '-i', `pipe:${fd}`];
const videoOut = [...encoderArgs('libx264', settings).output, '-pix_fmt', 'yuv420p'];
const audioOut = audioEncoderArgs(settings);
/** The engine's muxer options with its output format, minus the format (we add the pipe). */
const muxer = liveMuxerArgs('flv');

function ffmpegArgs(variant: Variant): { args: string[]; outputs: number[] } {
  switch (variant) {
    case 'engine':
      return { args: [...videoIn, ...audioIn(3), '-map', '0:v', '-map', '1:a', '-fps_mode', 'passthrough', ...videoOut, ...audioOut, ...muxer, 'pipe:4'], outputs: [4] };
    case 'split':
      return {
        args: [...videoIn, ...audioIn(3), '-map', '0:v', '-fps_mode', 'passthrough', ...videoOut, ...muxer, 'pipe:4', '-map', '1:a', ...audioOut, ...muxer, 'pipe:5'],
        outputs: [4, 5],
      };
    case 'audioOnly':
      return { args: [...audioIn(3), '-map', '0:a', ...audioOut, ...muxer, 'pipe:5'], outputs: [5] };
    case 'pcmOnly':
      return { args: [...audioIn(3), '-map', '0:a', '-c:a', 'pcm_s16le', '-ar', '44100', ...muxer, 'pipe:5'], outputs: [5] };
  }
}

interface Figures {
  readonly audioHold: { p50: number; p95: number; p99: number; min: number; tags: number };
  readonly audioGap: { p50: number; p95: number; p99: number };
  readonly videoHold: { p50: number; p95: number } | null;
}

function summary(values: number[], ps: number[]): number[] {
  const sorted = sortedAscending(values);
  return ps.map((p) => Math.round(nearestRank(sorted, p)));
}

async function runVariant(variant: Variant): Promise<Figures> {
  const { args, outputs } = ffmpegArgs(variant);
  const child: ChildProcess = spawn('ffmpeg', ['-hide_banner', '-loglevel', 'error', ...args], { stdio: ['pipe', 'ignore', 'pipe', 'pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
  const t0 = performance.now();
  const audioHold: number[] = [];
  const audioArrivals: number[] = [];
  const videoHold: number[] = [];
  for (const fd of outputs) {
    const demuxer = new FlvDemuxer();
    const stream = child.stdio[fd] as Readable;
    stream.on('data', (chunk: Buffer) => {
      const now = performance.now() - t0;
      for (const event of demuxer.push(chunk)) {
        if (now < WARMUP_MS) continue;
        // FLV PCM (pcmOnly) comes out as 'unsupported' from our AAC-only demuxer; its dts is all we need.
        if (event.kind === 'audio' || (event.kind === 'unsupported' && event.what.startsWith('audio'))) {
          audioHold.push(now - (event.dts + AAC_FRAME_MS));
          audioArrivals.push(now);
        } else if (event.kind === 'video') videoHold.push(now - event.dts);
      }
    });
  }
  const video = child.stdin as Writable;
  const audio = child.stdio[3] as Writable;
  video.on('error', () => undefined);
  audio.on('error', () => undefined);
  if (variant === 'audioOnly' || variant === 'pcmOnly') video.end();
  const frame = Buffer.alloc(WIDTH * HEIGHT, 128);
  let videoSent = 0;
  let audioSent = 0;
  const timer = setInterval(() => {
    const elapsed = performance.now() - t0;
    while (audioSent * CHUNK <= (elapsed / 1000) * SAMPLE_RATE) {
      const pcm = Buffer.alloc(CHUNK * 2);
      for (let i = 0; i < CHUNK; i += 1) pcm.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * 440 * (audioSent * CHUNK + i)) / SAMPLE_RATE)), i * 2);
      audio.write(pcm);
      audioSent += 1;
    }
    if (variant === 'audioOnly' || variant === 'pcmOnly') return;
    while (videoSent <= (elapsed / 1000) * FPS) {
      // A moving pattern, so x264 has real work (a flat picture encodes in no time).
      for (let i = 0; i < 4000; i += 1) frame[(i * 7919 + videoSent * 331) % frame.length] = (i * 13 + videoSent) & 255;
      video.write(frame);
      videoSent += 1;
    }
  }, 4);
  const exited = new Promise<void>((ok) => child.once('exit', () => ok()));
  await Promise.race([new Promise((ok) => setTimeout(ok, WARMUP_MS + MEASURE_MS)), exited]);
  clearInterval(timer);
  child.kill('SIGKILL');
  await exited;
  if (audioHold.length < 100) throw new Error(`${variant}: only ${audioHold.length} audio tags; ffmpeg said: ${stderr}`);
  const gaps = audioArrivals.slice(1).map((t, i) => t - audioArrivals[i]!);
  const [p50, p95, p99, min] = summary(audioHold, [50, 95, 99, 0]);
  const [g50, g95, g99] = summary(gaps, [50, 95, 99]);
  const [v50, v95] = summary(videoHold, [50, 95]);
  return {
    audioHold: { p50: p50!, p95: p95!, p99: p99!, min: min!, tags: audioHold.length },
    audioGap: { p50: g50!, p95: g95!, p99: g99! },
    videoHold: videoHold.length > 0 ? { p50: v50!, p95: v95! } : null,
  };
}

async function main(): Promise<void> {
  const loaders = Array.from({ length: LOAD }, () => spawn('sh', ['-c', 'while :; do :; done'], { stdio: 'ignore' }));
  const rounds: Record<Variant, Figures>[] = [];
  try {
    for (let round = 0; round < ROUNDS; round += 1) {
      const figures = {} as Record<Variant, Figures>;
      for (const variant of VARIANTS) {
        figures[variant] = await runVariant(variant);
        console.log(`round ${round + 1} ${variant}: audio hold p50/p95/p99 ${figures[variant].audioHold.p50}/${figures[variant].audioHold.p95}/${figures[variant].audioHold.p99} ms, gap p95 ${figures[variant].audioGap.p95} ms, video hold p50/p95 ${figures[variant].videoHold?.p50 ?? '-'}/${figures[variant].videoHold?.p95 ?? '-'} ms`);
      }
      rounds.push(figures);
    }
  } finally {
    for (const loader of loaders) loader.kill('SIGKILL');
  }
  console.log(JSON.stringify({ bench: 'publisher', aacFrameMs: Math.round(AAC_FRAME_MS * 10) / 10, load: LOAD, loadavg1: Math.round(loadavg()[0]! * 10) / 10, rounds }));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
