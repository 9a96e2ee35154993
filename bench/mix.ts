// npm run bench:mix — what the server-side mixer costs, per template (t_id 1 PiP, 2 side by side,
// 3 grid of four): the delay it adds to the big host's picture (timestamp blocks read back from
// the original and from the mixed audience stream, both decoded by identical ffmpeg pulls), the
// CPU cores one running mix uses (its ffmpeg children from /proc plus the Node compositor), and
// the switch gap when a small host joins / leaves (the longest wait between readable, advancing
// timestamps in the mixed stream around the change; frames keep flowing regardless).
// Sources: the big host is a moving picture carrying the blocks, small hosts are lavfi testsrc2 at
// the small-host preset (their encoders start on the same 2 cores, which inflates the join gap).
// Bounded to a few minutes. The last line of output is one JSON object with the figures.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { pino } from 'pino';
import { readStamp, drawStamp, BLOCK_BITS, BLOCK_COLUMNS, BLOCK_SIZE } from '../common/media/timestamp-blocks';
import { mixPixelRects, type PixelRect } from '../server/mixer/mix-geometry';
import { LinkMicServer } from '../server/link-mic-server';
import { SMALL_HOST_PRESET } from '../common/presets';
import { startFfmpegPush } from '../server/test/helpers/media';

const W = 360;
const H = 640;
const FPS = 15;
const SESSION = 4343;
/** The half-size stamp sits at the top centre, so side-by-side crops and grid scaling keep it. */
const STAMP_X = 100;
const STAMP_W = (BLOCK_COLUMNS * BLOCK_SIZE) / 2;
const STAMP_H = ((BLOCK_BITS / BLOCK_COLUMNS) * BLOCK_SIZE) / 2;
const ALONE_MS = 4000;
const STEADY_MS = 10_000;
const AFTER_LEAVE_MS = 5000;
const EVENT_WINDOW_MS = 3000;

const sleep = (ms: number): Promise<void> => new Promise((ok) => setTimeout(ok, ms));

function percentile(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!);
}

/** A big-host source: gray 360x640 frames carrying a half-size timestamp stamp, plus a tone. */
class StampSource {
  private child: ChildProcess | undefined;
  private timer: NodeJS.Timeout | undefined;
  private counter = 0;

  constructor(private readonly url: string) {}

  start(): void {
    const child = spawn('ffmpeg', [
      '-hide_banner', '-loglevel', 'error',
      '-f', 'rawvideo', '-pix_fmt', 'gray', '-s', `${W}x${H}`, '-framerate', String(FPS), '-i', 'pipe:0',
      '-f', 's16le', '-ar', '48000', '-ac', '1', '-i', 'pipe:3',
      '-map', '0:v', '-map', '1:a',
      '-c:v', 'libx264', '-preset', 'veryfast', '-tune', 'zerolatency', '-g', String(FPS), '-sc_threshold', '0',
      '-b:v', '800k', '-maxrate', '800k', '-bufsize', '400k', '-pix_fmt', 'yuv420p', '-fps_mode', 'passthrough', '-threads', '1',
      '-c:a', 'aac', '-b:a', '64k', '-ar', '48000', '-ac', '1', '-max_interleave_delta', '1', '-flush_packets', '1',
      '-f', 'flv', this.url,
    ], { stdio: ['pipe', 'ignore', 'ignore', 'pipe'] });
    this.child = child;
    const video = child.stdin!;
    const audio = child.stdio[3] as Writable;
    video.on('error', () => undefined);
    audio.on('error', () => undefined);
    const frame = new Uint8Array(W * H);
    const stamp = new Uint8Array(STAMP_W * 2 * STAMP_H * 2);
    const start = performance.now();
    let sentVideo = 0;
    let sentAudio = 0;
    this.timer = setInterval(() => {
      const elapsed = performance.now() - start;
      while (sentAudio * 240 <= (elapsed / 1000) * 48000) {
        const pcm = Buffer.alloc(480);
        for (let i = 0; i < 240; i++) pcm.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * 440 * (sentAudio * 240 + i)) / 48000)), i * 2);
        audio.write(pcm);
        sentAudio += 1;
      }
      if (sentVideo <= (elapsed / 1000) * FPS) {
        sentVideo = Math.floor((elapsed / 1000) * FPS) + 1;
        // moving diagonal bars under the stamp: the encoders get motion to work on
        frame.fill(128, 0, (STAMP_H + 20) * W);
        const shift = this.counter * 3;
        for (let y = STAMP_H + 20; y < H; y++) for (let x = 0; x < W; x++) frame[y * W + x] = 60 + (((x + y + shift) >> 4) & 7) * 20;
        drawStamp(stamp, STAMP_W * 2, { timeLow32: Date.now() >>> 0, counter: this.counter & 0xffff });
        for (let y = 0; y < STAMP_H; y++) for (let x = 0; x < STAMP_W; x++) frame[y * W + STAMP_X + x] = stamp[y * 2 * STAMP_W * 2 + x * 2]!;
        this.counter += 1;
        video.write(frame);
      }
    }, 4);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    child.kill('SIGKILL');
    await new Promise((ok) => child.once('exit', ok));
  }
}

/** Where a source pixel lands in a tile scaled to cover `rect` and centre-cropped (as the mixer does). */
function coverTransform(rect: PixelRect): (x: number, y: number) => [number, number] {
  const s = Math.max(rect.w / W, rect.h / H);
  const ox = (W * s - rect.w) / 2;
  const oy = (H * s - rect.h) / 2;
  return (x, y) => [rect.x + x * s - ox, rect.y + y * s - oy];
}

/** Decodes a stream to gray frames and records when each readable stamp counter arrived. */
class StampReader {
  readonly arrivals = new Map<number, number>();
  /** (arrival ms, counter) of every readable frame, in order. */
  readonly readable: Array<{ at: number; counter: number }> = [];
  readonly frameTimes: number[] = [];
  private readonly child: ChildProcess;

  constructor(url: string, private readonly transforms: () => Array<(x: number, y: number) => [number, number]>) {
    this.child = spawn('ffmpeg', [
      '-hide_banner', '-loglevel', 'error', '-fflags', 'nobuffer', '-flags', 'low_delay', '-probesize', '32768', '-analyzeduration', '0', '-threads', '1',
      '-i', url, '-map', '0:v:0', '-vf', `scale=${W}:${H},format=gray`, '-f', 'rawvideo', '-fps_mode', 'passthrough', '-threads', '1', '-flush_packets', '1', 'pipe:1',
    ], { stdio: ['ignore', 'pipe', 'ignore'] });
    let pending: Buffer = Buffer.alloc(0);
    this.child.stdout!.on('data', (chunk: Buffer) => {
      const at = Date.now();
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      while (pending.length >= W * H) {
        this.onFrame(pending.subarray(0, W * H), at);
        pending = pending.subarray(W * H);
      }
    });
  }

  private onFrame(gray: Buffer, at: number): void {
    this.frameTimes.push(at);
    for (const transform of this.transforms()) {
      const stamp = readStamp((sx, sy) => {
        const [x, y] = transform(STAMP_X + sx / 2, sy / 2);
        const px = Math.max(0, Math.min(W - 1, Math.round(x)));
        const py = Math.max(0, Math.min(H - 1, Math.round(y)));
        return gray[py * W + px]!;
      });
      if (!stamp) continue;
      if (!this.arrivals.has(stamp.counter)) this.arrivals.set(stamp.counter, at);
      this.readable.push({ at, counter: stamp.counter });
      return;
    }
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
    await new Promise((ok) => (this.child.exitCode !== null ? ok(undefined) : this.child.once('exit', ok)));
  }
}

/** CPU time (ms) of a set of PIDs from /proc, accumulated over calls even as PIDs come and go. */
class CpuMeter {
  private readonly last = new Map<number, number>();
  totalMs = 0;
  private readonly tick = 100; // USER_HZ on Linux

  sample(pids: number[]): void {
    for (const pid of pids) {
      try {
        const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
        const ms = ((Number(fields[11]) + Number(fields[12])) * 1000) / this.tick;
        const before = this.last.get(pid);
        if (before !== undefined) this.totalMs += ms - before;
        this.last.set(pid, ms);
      } catch {
        // exited
      }
    }
  }
}

function maxGap(times: number[], from: number, to: number): number | null {
  const inside = times.filter((t) => t >= from && t <= to);
  if (inside.length < 2) return null;
  let gap = 0;
  for (let i = 1; i < inside.length; i++) gap = Math.max(gap, inside[i]! - inside[i - 1]!);
  return gap;
}

/** Longest wait between readable stamps whose counter advanced, within [from, to]. */
function stampGap(readable: Array<{ at: number; counter: number }>, from: number, to: number): number | null {
  let gap = 0;
  let last: { at: number; counter: number } | undefined;
  for (const r of readable) {
    if (r.at < from - 1000 || r.at > to) continue;
    if (last && r.counter !== last.counter) {
      if (r.at >= from) gap = Math.max(gap, r.at - last.at);
      last = r;
    } else if (!last) last = r;
  }
  return last ? gap : null;
}

async function runTemplate(server: LinkMicServer, templateId: 1 | 2 | 3): Promise<Record<string, unknown>> {
  const code = `benchmix${templateId}`;
  const smallCount = templateId === 3 ? 3 : 1;
  const source = new StampSource(server.urls.pushUrl(code, { layer: 'b', sessionId: SESSION + templateId, templateId }));
  source.start();
  const deadline = Date.now() + 20_000;
  while (server.mixer.status(code)?.state !== 'running') {
    if (Date.now() > deadline) throw new Error(`mix ${code} did not start`);
    await sleep(100);
  }
  let parties = 1;
  const transforms = (): Array<(x: number, y: number) => [number, number]> => {
    const counts = [parties, parties + 1, parties - 1].filter((n) => n >= 1 && n <= 4);
    return counts.map((n) => coverTransform(mixPixelRects(templateId, n, W, H)[0]!));
  };
  const original = new StampReader(`${server.httpUrl}/live/${code}.flv?session_id=${SESSION + templateId}`, () => [(x, y) => [x, y]]);
  const mixed = new StampReader(`${server.httpUrl}/live/${code}.flv`, transforms);
  const cpu = new CpuMeter();
  await sleep(ALONE_MS);
  const smalls: Array<{ stop(): Promise<void> }> = [];
  const joinAt = Date.now();
  for (let i = 0; i < smallCount; i++) {
    smalls.push(startFfmpegPush(server.urls.pushUrl(`${code}s${i}`, { layer: 's', sessionId: SESSION + templateId, templateId }), SMALL_HOST_PRESET));
  }
  while ((server.mixer.status(code)?.parties.length ?? 0) < 1 + smallCount && Date.now() - joinAt < 10_000) await sleep(50);
  parties = 1 + smallCount;
  // steady state with every party in: delay and CPU
  await sleep(2000);
  const usage0 = server.mixer.usage(code)!;
  cpu.sample(usage0.pids);
  const steadyFrom = Date.now();
  const compositor0 = usage0.compositorMs;
  for (let t = 0; t < STEADY_MS; t += 1000) {
    await sleep(1000);
    cpu.sample(server.mixer.usage(code)?.pids ?? []);
  }
  const steadyTo = Date.now();
  const compositorMs = (server.mixer.usage(code)?.compositorMs ?? compositor0) - compositor0;
  const cores = (cpu.totalMs + compositorMs) / (steadyTo - steadyFrom);
  const delays: number[] = [];
  for (const [counter, at] of mixed.arrivals) {
    const base = original.arrivals.get(counter);
    if (base !== undefined && at >= steadyFrom && at <= steadyTo) delays.push(at - base);
  }
  // a small host leaves
  const leaveAt = Date.now();
  await smalls.pop()!.stop();
  parties -= 1;
  await sleep(AFTER_LEAVE_MS);
  const result = {
    parties: 1 + smallCount,
    delayMs: { p50: percentile(delays, 0.5), p95: percentile(delays, 0.95), samples: delays.length },
    cores: Math.round(cores * 100) / 100,
    ffmpegCores: Math.round((cpu.totalMs / (steadyTo - steadyFrom)) * 100) / 100,
    compositorCores: Math.round((compositorMs / (steadyTo - steadyFrom)) * 1000) / 1000,
    joinGapMs: stampGap(mixed.readable, joinAt, joinAt + EVENT_WINDOW_MS),
    leaveGapMs: stampGap(mixed.readable, leaveAt, leaveAt + EVENT_WINDOW_MS),
    frameGapMs: { join: maxGap(mixed.frameTimes, joinAt, joinAt + EVENT_WINDOW_MS), leave: maxGap(mixed.frameTimes, leaveAt, leaveAt + EVENT_WINDOW_MS) },
    restarts: server.mixer.status(code)?.restarts ?? null,
    speed: server.mixer.status(code)?.speed ?? null,
  };
  await Promise.all([...smalls.map((s) => s.stop()), source.stop(), original.stop(), mixed.stop()]);
  await sleep(500);
  return result;
}

async function main(): Promise<void> {
  const started = Date.now();
  const server = new LinkMicServer({ host: '127.0.0.1', rtmpPort: 0, httpPort: 0, linkQuota: 8, logger: pino({ level: 'warn' }) });
  await server.start();
  const templates: Record<string, unknown> = {};
  const guard = setTimeout(() => {
    console.error('bench:mix took too long; giving up');
    process.exit(2);
  }, 5 * 60_000);
  try {
    for (const templateId of [1, 2, 3] as const) {
      templates[String(templateId)] = await runTemplate(server, templateId);
      console.log(`t_id ${templateId}: ${JSON.stringify(templates[String(templateId)])}`);
    }
  } finally {
    clearTimeout(guard);
    await server.close();
  }
  console.log(JSON.stringify({ bench: 'mix', output: `${W}x${H}@${FPS} 800 kbps x264 veryfast zerolatency`, templates, durationSec: Math.round((Date.now() - started) / 1000) }));
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
