// npm run bench:latency — latency as the co-hosts see and hear it, in one real Chromium playing
// into a private PulseAudio room, on one live source (timestamp blocks + a 440 Hz tone that bursts
// loud each second on the stream time of a picture, published with the push engine's own encoder
// and muxer options) through one stall proxy: steady state, then ten 500 ms stalls, then 5 s after.
// - glass to glass: the age of the timestamp drawn in each picture on screen;
// - glass to ear: each burst's onset recorded from the room's `speaker.monitor` (what the page's
//   output plays) minus the creation time of the picture with its stream time; the offset is when
//   that picture was shown minus when its sound was heard (lip sync);
// - the source's arrival jitter at the origin (a Node reader, per track);
// - stock mpegts.js in each of its configurations (MPEGTS_CONFIGS), the best named;
// - three link players at once in one page (a big host with three co-hosts; the first is audible);
// - accept to both playing: at "accept" the co-host's push engine starts (small host, 1 kHz tone)
//   while the host's page opens its player and the co-host's page opens the host's stream; the
//   first moment each tone is heard.
// - where the heard delay goes (`heardBreakdown` of the audible player): publisher, origin to player,
//   decode, the player's audio buffer, Web Audio's output latency, the PulseAudio path, per burst.
// BENCH_MODE: 'one-at-a-time' (default: each player alone, then the three-player phase and the
//   accept phase), 'side-by-side' (all selected players at once), 'both', 'three' (only the
//   three-player phase: the variants of BENCH_THREE=name,… alternating for BENCH_ROUNDS rounds).
// BENCH_PLAYERS=name,…: one-at-a-time players (default DEFAULT_PLAYERS). BENCH_TRACE=file.json.
// BENCH_SOURCE_VARIANTS=engine,engineDefaultMux,… [BENCH_ROUNDS=2]: compare publisher settings instead.
// BENCH_SOURCE=<a SOURCE_VARIANTS name>: the publisher of the normal phases (default: engine).
// The last line of output is one JSON object with the figures (and the load average).
import { writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { BenchApi } from '../renderer/player/bench-page/bench-api';
import { MPEGTS_CONFIGS } from '../renderer/player/bench-page/mpegts-configs';
import { PushEngine } from '../main/engine/push-engine';
import { CHROMIUM_ARGS } from './helpers/aec-page';
import { BENCH_TONE } from '../common/media/tone-bursts';
import { HeardAudio, type HeardBurst } from './helpers/heard-audio';
import { playUrls, startOrigin } from './helpers/origin';
import { servePlayerPage } from './helpers/player-page';
import { PulseRoom } from './helpers/pulse-room';
import { StallProxy } from './helpers/stall-proxy';
import { ArrivalProbe } from './helpers/timestamp-arrivals';
import { SOURCE_VARIANTS, TimestampSource, type SourceVariant } from './helpers/timestamp-source';

/** BENCH_QUICK=1: a short smoke run (3 s warm-up, 8 s steady, 3 stalls), not for figures. */
const QUICK = process.env.BENCH_QUICK === '1';
const WARMUP_MS = QUICK ? 3000 : 6000;
const STEADY_MS = QUICK ? 8000 : 20_000;
const STALLS = QUICK ? 3 : 10;
const STALL_MS = 500;
const STALL_EVERY_MS = 1500;
const AFTER_MS = 5000;
const GUEST_TONE_HZ = 1000;
const ACCEPT_WAIT_MS = 8000;

interface Sample {
  readonly at: number;
  readonly ageMs: number;
  readonly counter: number;
}

interface PlayerSpec {
  readonly name: string;
  readonly player: 'link' | 'audience' | 'mpegts';
  readonly transport: 'http' | 'ws';
  readonly kind: 'link' | 'audience';
  /** Extra bench-page parameters. */
  readonly query?: string;
  /** Players in the page (the first audible). */
  readonly count?: number;
}

const mpegtsSpecs: PlayerSpec[] = Object.keys(MPEGTS_CONFIGS).map((config) => ({ name: `mpegts.js-${config}`, player: 'mpegts', transport: 'http', kind: 'link', query: `mpegts=${config}` }));
const PLAYERS: readonly PlayerSpec[] = [
  { name: 'link-http-flv', player: 'link', transport: 'http', kind: 'link' },
  { name: 'link-ws-flv', player: 'link', transport: 'ws', kind: 'link' },
  { name: 'audience-http-flv', player: 'audience', transport: 'http', kind: 'audience' },
  /** The link player with the lip-sync lead before 2026-12 (pictures up to 120 ms ahead of the sound). */
  { name: 'link-http-flv-lead120', player: 'link', transport: 'http', kind: 'link', query: 'lipSyncLeadMs=120' },
  ...mpegtsSpecs,
  { name: 'link-http-flv-slow-shrink', player: 'link', transport: 'http', kind: 'link', query: 'jitterWindowMs=5000&shrinkMsPerSec=20' },
];
const DEFAULT_PLAYERS = ['link-http-flv', 'link-ws-flv', 'audience-http-flv', 'link-http-flv-lead120', ...mpegtsSpecs.map((p) => p.name)];
const THREE_LINKS: PlayerSpec = { name: 'three-link-http-flv', player: 'link', transport: 'http', kind: 'link', count: 3 };
/** Variants of the three-player phase for A/B in one run (`BENCH_THREE=name,…`, `BENCH_ROUNDS` alternations). */
const OLD_AUDIO = 'audioPercentile=0.99&marginMs=15&latencyHint=interactive&sharedAudio=0&keepTime=0';
const threeVariant = (suffix: string, query: string): PlayerSpec => ({ ...THREE_LINKS, name: `${THREE_LINKS.name}-${suffix}`, query });
const THREE_VARIANTS: readonly PlayerSpec[] = [
  THREE_LINKS,
  /** The audio path before 2026-12-03: p99 + 15 ms buffer, waiting underruns, 'interactive', one context per player. */
  threeVariant('old', OLD_AUDIO),
  /** p95 + 5 ms buffer, underruns keep time (late audio skipped). */
  threeVariant('p95keep', 'audioPercentile=0.95&marginMs=5&latencyHint=interactive&sharedAudio=0&keepTime=1'),
  /** The smallest output latency the device allows. */
  threeVariant('hint0', 'audioPercentile=0.99&marginMs=15&latencyHint=0&sharedAudio=0&keepTime=0'),
  /** One AudioContext for the three players. */
  threeVariant('shared', 'audioPercentile=0.99&marginMs=15&latencyHint=interactive&sharedAudio=1&keepTime=0'),
  threeVariant('all', 'audioPercentile=0.95&marginMs=5&latencyHint=0&sharedAudio=1&keepTime=1'),
  /** The defaults of 2026-12-03 with a shorter jitter window and a faster shrink after a burst. */
  threeVariant('fastshrink', 'jitterWindowMs=1500&shrinkMsPerSec=100'),
  /** The defaults of 2026-12-03 with the p90 of audio jitter (more underruns concealed). */
  threeVariant('p90', 'audioPercentile=0.9'),
  /** A lower floor of the audio buffer (default 30 ms). */
  threeVariant('floor20', 'floorMs=20'),
  threeVariant('floor24', 'floorMs=24'),
  /** Everything on the page's main thread (before the media worker of 2026-12-06). */
  threeVariant('mainthread', 'mediaWorker=0'),
  /** The media worker with a shorter jitter window and a faster shrink. */
  threeVariant('fastshrink-mainthread', 'mediaWorker=0&jitterWindowMs=1500&shrinkMsPerSec=100'),
];
const THREE_SELECTED = (process.env.BENCH_THREE ? process.env.BENCH_THREE.split(',') : [THREE_LINKS.name])
  .map((name) => THREE_VARIANTS.find((p) => p.name === name))
  .filter((p): p is PlayerSpec => p !== undefined);
const SELECTED = (process.env.BENCH_PLAYERS ? process.env.BENCH_PLAYERS.split(',') : DEFAULT_PLAYERS)
  .map((name) => [...PLAYERS, THREE_LINKS].find((p) => p.name === name))
  .filter((p): p is PlayerSpec => p !== undefined);
const TRACES: Record<string, unknown> = {};

function percentile(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!);
}

function inWindow(samples: readonly { at: number; ageMs: number }[], from: number, to: number): number[] {
  return samples.filter((s) => s.at >= from && s.at < to).map((s) => s.ageMs);
}

const sleep = (ms: number): Promise<void> => new Promise((ok) => setTimeout(ok, ms));
const load = (): number => Math.round(loadavg()[0]! * 100) / 100;

type Mode = 'one-at-a-time' | 'side-by-side' | 'both' | 'three';
const MODE: Mode = process.env.BENCH_MODE === 'side-by-side' || process.env.BENCH_MODE === 'both' || process.env.BENCH_MODE === 'three' ? process.env.BENCH_MODE : 'one-at-a-time';
const VARIANTS = (process.env.BENCH_SOURCE_VARIANTS ?? '').split(',').filter((v): v is SourceVariant => v in SOURCE_VARIANTS);
const ROUNDS = Math.max(1, Math.min(5, Number(process.env.BENCH_ROUNDS ?? 2) || 2));
const VARIANT_WARMUP_MS = 4000;
const VARIANT_MEASURE_MS = 15_000;

interface Rig {
  readonly browser: Browser;
  readonly pageUrl: string;
  readonly proxy: StallProxy;
  readonly originPort: number;
  readonly source: TimestampSource;
  readonly heard: HeardAudio;
}

interface Tab {
  readonly name: string;
  readonly page: Page;
}

async function openPlayer(rig: Rig, p: PlayerSpec, code: string, port = rig.proxy.port): Promise<Tab> {
  const tab = await rig.browser.newPage({ viewport: { width: 400 * (p.count ?? 1), height: 700 } });
  tab.on('pageerror', (error) => console.error(`${p.name}: ${error.message}`));
  const urls = playUrls(port, code, p.kind);
  const query = [`player=${p.player}`, `url=${encodeURIComponent(p.transport === 'ws' ? urls.ws : urls.http)}`, ...(p.query ? [p.query] : []), ...(p.count ? [`count=${p.count}`] : [])];
  await tab.goto(`${rig.pageUrl}?${query.join('&')}`);
  return { name: p.name, page: tab };
}

interface PageData {
  samples: Sample[];
  audio: { at: number; ageMs: number }[];
  unreadable: number;
  stats: unknown;
  trace: unknown[];
  events: { at: number; type: string; detail: unknown }[];
  timings: AudioTiming[];
}

type AudioTiming = ReturnType<BenchApi['audioTimings']>[number];

async function readSamples(tab: Page, index = 0): Promise<PageData> {
  return tab.evaluate((i) => {
    const bench = window.__benches[i]!;
    return {
      samples: bench.samples.map((s) => ({ at: s.at, ageMs: s.ageMs, counter: s.counter })),
      audio: bench.audioLatency.map((s) => ({ at: s.at, ageMs: s.ms })),
      unreadable: bench.unreadable,
      stats: bench.stats(),
      trace: bench.trace,
      events: bench.events,
      timings: bench.audioTimings(),
    };
  }, index);
}

async function closeTabs(tabs: Tab[]): Promise<void> {
  await Promise.all(tabs.map(({ page: tab }) => tab.evaluate(() => Promise.all(window.__benches.map((b) => b.close()))).catch(() => undefined)));
  await Promise.all(tabs.map(({ page: tab }) => tab.close().catch(() => undefined)));
}

/** Glass to ear over a window: delays and lip-sync offsets of the bursts heard. */
function heardFigures(bursts: HeardBurst[]): Record<string, unknown> {
  const delays = bursts.map((b) => b.delayMs);
  const offsets = bursts.map((b) => b.offsetMs).filter((o): o is number => o !== null);
  return {
    p50: percentile(delays, 0.5),
    p95: percentile(delays, 0.95),
    bursts: bursts.length,
    offset: { p50: percentile(offsets, 0.5), p5: percentile(offsets, 0.05), p95: percentile(offsets, 0.95), within45: offsets.length ? Math.round((offsets.filter((o) => Math.abs(o) <= 45).length / offsets.length) * 100) / 100 : null, n: offsets.length },
  };
}

const BREAKDOWN_PARTS = ['publisher', 'originToPlayer', 'decode', 'buffer', 'audioContext', 'pulseAudio'] as const;
type BreakdownPart = (typeof BREAKDOWN_PARTS)[number];

/**
 * Where each heard burst's delay went, in steps that add up to it (Date.now() ms): created (the
 * picture with the burst's stream time was made) → the audio tag holding the onset reached the
 * origin (the Node reader) = `publisher` (capture, AAC encode and look-ahead, mux, RTMP) → it reached
 * the player (through the stall proxy) = `originToPlayer` → decoded = `decode` → the worklet rendered
 * the onset = `buffer` (the player's audio buffer) → Web Audio's output time for it
 * (getOutputTimestamp) = `audioContext` (base + output latency) → the recording of the room's
 * `speaker.monitor` heard it = `pulseAudio` (Chromium's stream, the null sink, parec: the
 * measurement's own path; negative when Chromium's estimate of its output latency is longer than
 * the path really is). p50 / p95 per part; `sumP50` is the sum of the parts' medians;
 * `renderToHeard` the last two together.
 */
function heardBreakdown(bursts: HeardBurst[], sent: readonly { createdAt: number; index: number }[], timings: AudioTiming[], probe: ArrivalProbe): Record<string, unknown> {
  const periodMs = (BENCH_TONE.periodSamples / BENCH_TONE.sampleRate) * 1000;
  const frameMs = (1024 / BENCH_TONE.sampleRate) * 1000;
  const parts: Record<BreakdownPart, number[]> = { publisher: [], originToPlayer: [], decode: [], buffer: [], audioContext: [], pulseAudio: [] };
  const renderToHeard: number[] = [];
  let complete = 0;
  for (const b of bursts) {
    const burst = sent.find((x) => x.createdAt === b.createdAt);
    if (!burst) continue;
    const ts = burst.index * periodMs;
    const frame = timings.find((t) => t.ts <= ts + 0.5 && ts < t.ts + frameMs);
    const atOrigin = probe.audioArrivalOf(ts, frameMs);
    if (!frame || atOrigin === null || frame.decodedAt === null || frame.renderAt === null || frame.outputAt === null) continue;
    const into = ts - frame.ts;
    const steps = [b.createdAt, atOrigin, frame.arrivedAt, frame.decodedAt, frame.renderAt + into, frame.outputAt + into, b.heardAt];
    BREAKDOWN_PARTS.forEach((part, i) => parts[part].push(steps[i + 1]! - steps[i]!));
    renderToHeard.push(b.heardAt - steps[4]!);
    complete += 1;
  }
  const out: Record<string, unknown> = { bursts: complete };
  let sum = 0;
  for (const part of BREAKDOWN_PARTS) {
    const p50 = percentile(parts[part], 0.5);
    out[part] = { p50, p95: percentile(parts[part], 0.95) };
    sum += p50 ?? 0;
  }
  out.sumP50 = Math.round(sum);
  // Web Audio's output time is an estimate that includes PulseAudio's own sink latency, so the
  // split between the last two parts is Chromium's word; this sum of both is measured.
  out.renderToHeard = { p50: percentile(renderToHeard, 0.5), p95: percentile(renderToHeard, 0.95) };
  return out;
}

/** Warm-up, steady phase, stalls, 5 s after: the figures of every open tab (heard audio: the audible player). */
async function runSchedule(rig: Rig, tabs: Tab[], probe: ArrivalProbe, audible: Tab | null): Promise<{ players: Record<string, unknown>; sourceArrivals: unknown }> {
  const opened = Date.now();
  console.log(`players open (${tabs.map((t) => t.name).join(', ')}); warm-up ${WARMUP_MS / 1000} s, steady ${STEADY_MS / 1000} s; load ${load()}`);
  await sleep(WARMUP_MS);
  const steadyFrom = Date.now();
  const loadFrom = load();
  await sleep(STEADY_MS);
  const steadyTo = Date.now();
  for (let i = 0; i < STALLS; i += 1) {
    await rig.proxy.pause(STALL_MS);
    if (i < STALLS - 1) await sleep(STALL_EVERY_MS - STALL_MS);
  }
  const lastStallEnd = Date.now();
  await sleep(AFTER_MS + 1500);

  const players: Record<string, unknown> = {};
  for (const tab of tabs) {
    const count = tab.name.startsWith('three-') ? 3 : 1;
    for (let index = 0; index < count; index += 1) {
      const data = await readSamples(tab.page, index);
      const name = count > 1 ? `${tab.name}#${index + 1}` : tab.name;
      TRACES[name] = { steadyFrom, steadyTo, lastStallEnd, trace: data.trace, samples: data.samples };
      const steady = inWindow(data.samples, steadyFrom, steadyTo);
      const first = data.samples[0]?.at ?? opened;
      const startup = inWindow(data.samples, first, first + 5000);
      const stallPhase = inWindow(data.samples, steadyTo, lastStallEnd + AFTER_MS);
      const after = inWindow(data.samples, lastStallEnd + AFTER_MS - 500, lastStallEnd + AFTER_MS + 500);
      const stats = (data.stats ?? {}) as Record<string, unknown>;
      const steadyAudio = inWindow(data.audio, steadyFrom, steadyTo);
      let heard: Record<string, unknown> = {};
      if (audible === tab && index === 0) {
        const pictureDelayAt = (at: number): number | null => percentile(inWindow(data.samples, at - 2000, at + 2000), 0.5);
        const steadyBursts = rig.heard.bursts(steadyFrom, steadyTo, rig.source.bursts, data.samples, pictureDelayAt);
        const afterBursts = rig.heard.bursts(lastStallEnd + AFTER_MS - 1200, lastStallEnd + AFTER_MS + 1200, rig.source.bursts, data.samples, pictureDelayAt);
        const outputLatency = (data.trace as { at: number; outputLatencyMs?: number | null }[]).filter((t) => t.at >= steadyFrom && t.at < steadyTo && typeof t.outputLatencyMs === 'number').map((t) => t.outputLatencyMs as number);
        heard = {
          heard: { steady: heardFigures(steadyBursts), at5sAfterLastStallMs: percentile(afterBursts.map((b) => b.delayMs), 0.5), outputLatencyMs: percentile(outputLatency, 0.5) },
          heardBreakdown: heardBreakdown(steadyBursts, rig.source.bursts, data.timings, probe),
        };
        (TRACES[name] as Record<string, unknown>).heard = [...steadyBursts, ...afterBursts];
      }
      players[name] = {
        steady: { p50: percentile(steady, 0.5), p95: percentile(steady, 0.95), frames: steady.length },
        ...heard,
        startupMaxMs: startup.length ? Math.max(...startup) : null,
        stallPhase: { p50: percentile(stallPhase, 0.5), p95: percentile(stallPhase, 0.95), max: stallPhase.length ? Math.max(...stallPhase) : null },
        at5sAfterLastStallMs: percentile(after, 0.5),
        unreadablePictures: data.unreadable,
        loadAverage: loadFrom,
        ...('corrections' in stats
          ? {
              corrections: stats.corrections,
              stalls: stats.stalls,
              audioClicks: stats.audioClicks,
              audioUnderruns: stats.audioUnderruns,
              audioDroppedMs: stats.audioDroppedMs,
              audioEstimateSteady: { p50: percentile(steadyAudio, 0.5), p95: percentile(steadyAudio, 0.95) },
              targetMs: stats.targetMs,
              videoTargetMs: stats.videoTargetMs,
              jitterMs: stats.jitterMs,
              reconnects: stats.reconnects,
            }
          : {}),
      };
    }
  }
  return { players, sourceArrivals: probe.figures(steadyFrom, steadyTo) };
}

function printTable(title: string, results: Record<string, unknown>): void {
  console.log(`\n${title}\nplayer                      picture p50/p95   heard p50/p95   offset p50   5 s after stalls (picture/heard)`);
  for (const [name, r] of Object.entries(results) as [string, { steady: { p50: number; p95: number }; heard?: { steady: { p50: number; p95: number; offset: { p50: number } }; at5sAfterLastStallMs: number }; at5sAfterLastStallMs: number }][]) {
    const heard = r.heard ? `${r.heard.steady.p50}/${r.heard.steady.p95} ms` : '-';
    console.log(`${name.padEnd(27)} ${`${r.steady.p50}/${r.steady.p95} ms`.padEnd(17)} ${heard.padEnd(15)} ${`${r.heard?.steady.offset.p50 ?? '-'} ms`.padEnd(12)} ${r.at5sAfterLastStallMs} / ${r.heard?.at5sAfterLastStallMs ?? '-'} ms`);
    const breakdown = (r as { heardBreakdown?: Record<string, unknown> }).heardBreakdown;
    if (breakdown) console.log(`  heard breakdown ${JSON.stringify(breakdown)}`);
  }
}

async function oneAtATime(rig: Rig, probe: ArrivalProbe, specs: readonly PlayerSpec[]): Promise<{ players: Record<string, unknown>; sourceArrivals: Record<string, unknown> }> {
  const players: Record<string, unknown> = {};
  const sourceArrivals: Record<string, unknown> = {};
  for (const p of specs) {
    const tab = await openPlayer(rig, p, 'bench');
    try {
      const run = await runSchedule(rig, [tab], probe, tab);
      Object.assign(players, run.players);
      sourceArrivals[p.name] = run.sourceArrivals;
    } finally {
      await closeTabs([tab]);
    }
  }
  printTable('one at a time', players);
  return { players, sourceArrivals };
}

/**
 * The three-player phase: each selected variant (BENCH_THREE) in turn, alternating for
 * BENCH_ROUNDS rounds in three mode (A B A B …: the machine's load drifts, a ratio is fair only
 * between neighbours). Round 2+ results are named `name@2`, ….
 */
async function threePlayers(rig: Rig, probe: ArrivalProbe): Promise<{ players: Record<string, unknown>; sourceArrivals: Record<string, unknown> }> {
  const players: Record<string, unknown> = {};
  const sourceArrivals: Record<string, unknown> = {};
  const rounds = MODE === 'three' ? ROUNDS : 1;
  for (let round = 1; round <= rounds; round += 1) {
    for (const spec of THREE_SELECTED) {
      const run = await oneAtATime(rig, probe, [round === 1 ? spec : { ...spec, name: `${spec.name}@${round}` }]);
      Object.assign(players, run.players);
      Object.assign(sourceArrivals, run.sourceArrivals);
    }
  }
  return { players, sourceArrivals };
}

async function sideBySide(rig: Rig, probe: ArrivalProbe): Promise<{ players: Record<string, unknown>; sourceArrivals: unknown }> {
  const tabs: Tab[] = [];
  try {
    for (const p of SELECTED) tabs.push(await openPlayer(rig, p, 'bench'));
    const run = await runSchedule(rig, tabs, probe, tabs[0] ?? null);
    printTable('side by side', run.players);
    return run;
  } finally {
    await closeTabs(tabs);
  }
}

/** The best stock configuration: the lowest steady glass-to-glass p95, ties by heard p95. */
function bestMpegts(players: Record<string, unknown>): string | null {
  const score = (r: unknown): number => {
    const x = r as { steady: { p95: number | null }; at5sAfterLastStallMs: number | null };
    return Math.max(x.steady.p95 ?? Infinity, x.at5sAfterLastStallMs ?? Infinity);
  };
  const names = Object.keys(players).filter((n) => n.startsWith('mpegts.js-'));
  return names.sort((a, b) => score(players[a]) - score(players[b]))[0] ?? null;
}

/**
 * Accept to both playing: the co-host's push engine starts (the small-host preset, test pattern
 * and a 1 kHz tone) while the host's page opens a link player for it and the co-host's page a
 * link player of the host's stream (440 Hz), both straight to the origin. Each figure is the first
 * moment its tone is heard after the accept.
 */
async function acceptToBothPlaying(rig: Rig, engine: PushEngine, pushUrl: string): Promise<Record<string, unknown>> {
  await engine.selectEncoder(); // the studio picks its encoder at start-up, not at the accept
  const link: PlayerSpec = { name: 'accept', player: 'link', transport: 'http', kind: 'link', query: 'defer=1' };
  const [hostSide, guestSide] = await Promise.all([openPlayer(rig, link, 'guest', rig.originPort), openPlayer(rig, link, 'bench', rig.originPort)]);
  try {
    await sleep(1500); // the room is quiet, both studios are open
    const accept = Date.now();
    const loadAtAccept = load();
    const live = engine.start({ url: pushUrl, role: 'small', sources: { video: { kind: 'testPattern' }, audio: { kind: 'tone', frequency: GUEST_TONE_HZ } } }).then(() => Date.now());
    await Promise.all([hostSide, guestSide].map((tab) => tab.page.evaluate(() => window.__startPlayers())));
    const liveAt = await live;
    await sleep(ACCEPT_WAIT_MS);
    const hostHearsGuest = rig.heard.firstTone(accept, accept + ACCEPT_WAIT_MS, GUEST_TONE_HZ);
    const guestHearsHost = rig.heard.firstTone(accept, accept + ACCEPT_WAIT_MS, 440);
    const playing = async (tab: Tab): Promise<number | null> => (await readSamples(tab.page)).events.find((e) => e.type === 'state' && (e.detail as { state?: string }).state === 'playing')?.at ?? null;
    const [hostPlaying, guestPlaying] = await Promise.all([playing(hostSide), playing(guestSide)]);
    const rel = (t: number | null): number | null => (t === null ? null : Math.round(t - accept));
    return {
      bothHeardMs: hostHearsGuest === null || guestHearsHost === null ? null : rel(Math.max(hostHearsGuest, guestHearsHost)),
      hostHearsCoHostMs: rel(hostHearsGuest),
      coHostHearsHostMs: rel(guestHearsHost),
      coHostPushLiveMs: liveAt - accept,
      hostPlayerPlayingMs: rel(hostPlaying),
      coHostPlayerPlayingMs: rel(guestPlaying),
      hostPlayerReconnects: (await readSamples(hostSide.page)).events.filter((e) => e.type === 'reconnect').length,
      loadAverage: loadAtAccept,
    };
  } finally {
    await closeTabs([hostSide, guestSide]);
    await engine.stop();
  }
}

/** Publisher settings: each variant publishes its own stream; a link player loads the machine. */
async function compareVariants(rig: Rig, rtmpUrl: (code: string) => string): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (let round = 0; round < ROUNDS; round += 1) {
    for (const variant of VARIANTS) {
      const code = `v${round}${variant}`;
      const source = new TimestampSource({ rtmpUrl: rtmpUrl(code), variant });
      source.start();
      await sleep(1000);
      const probe = new ArrivalProbe(playUrls(rig.originPort, code, 'link').http);
      probe.start();
      const tab = await openPlayer(rig, PLAYERS[0]!, code, rig.originPort);
      try {
        await sleep(VARIANT_WARMUP_MS);
        const from = Date.now();
        const loadFrom = load();
        await sleep(VARIANT_MEASURE_MS);
        const to = Date.now();
        const data = await readSamples(tab.page);
        const steady = inWindow(data.samples, from, to);
        const stats = (data.stats ?? {}) as Record<string, unknown>;
        const figures = { round, loadAverage: loadFrom, lateFrames: source.lateFrames, ...probe.figures(from, to), link: { p50: percentile(steady, 0.5), p95: percentile(steady, 0.95), jitterMs: stats.jitterMs, targetMs: stats.targetMs } };
        console.log(`${variant.padEnd(16)} ${JSON.stringify(figures)}`);
        (out[variant] ??= []).push(figures);
      } finally {
        await closeTabs([tab]);
        probe.close();
        await source.stop();
      }
    }
  }
  return out;
}

async function main(): Promise<void> {
  const started = Date.now();
  const loadAtStart = load();
  const room = await PulseRoom.start({ echo: false });
  const origin = await startOrigin();
  const proxy = new StallProxy({ host: '127.0.0.1', port: origin.httpPort });
  await proxy.listen();
  // BENCH_SOURCE=<variant of SOURCE_VARIANTS>: the publisher of every phase (default: the push engine's).
  const sourceVariant = process.env.BENCH_SOURCE && process.env.BENCH_SOURCE in SOURCE_VARIANTS ? (process.env.BENCH_SOURCE as SourceVariant) : 'engine';
  const source = new TimestampSource({ rtmpUrl: origin.pushUrl('bench'), variant: sourceVariant });
  const page = await servePlayerPage();
  const heard = new HeardAudio(room);
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
    env: room.env as Record<string, string>,
    // Playwright mutes headless audio by default: the page's output must reach the room's speaker.
    ignoreDefaultArgs: ['--mute-audio'],
  });
  const rig: Rig = { browser, pageUrl: page.url, proxy, originPort: origin.httpPort, source, heard };
  const probe = new ArrivalProbe(playUrls(origin.httpPort, 'bench', 'link').http);
  const engine = await PushEngine.create({ ffmpegPath: '/usr/bin/ffmpeg' });
  try {
    const base = {
      bench: 'latency',
      source: { width: source.width, height: source.height, fps: source.fps, gop: source.fps, videoKbps: 800, audio: 'aac 48k mono 440 Hz tone, 120 ms burst each second', variant: source.variant },
    };
    if (VARIANTS.length > 0) {
      const variants = await compareVariants(rig, (code) => origin.pushUrl(code));
      console.log(JSON.stringify({ ...base, mode: 'source-variants', rounds: ROUNDS, durationSec: Math.round((Date.now() - started) / 1000), loadAverage: { start: loadAtStart, end: load() }, variants }));
      return;
    }
    heard.start();
    source.start();
    await sleep(1000);
    probe.start();
    const sequential = MODE === 'side-by-side' || MODE === 'three' ? null : await oneAtATime(rig, probe, SELECTED);
    const three = MODE === 'side-by-side' ? null : await threePlayers(rig, probe);
    const accept = MODE === 'side-by-side' || MODE === 'three' ? null : await acceptToBothPlaying(rig, engine, origin.pushUrl('guest'));
    if (accept) console.log(`accept to both playing: ${JSON.stringify(accept)}`);
    const together = MODE === 'side-by-side' || MODE === 'both' ? await sideBySide(rig, probe) : null;
    const primary = sequential ?? together ?? three!;
    const summary = {
      ...base,
      mode: MODE,
      stalls: { count: STALLS, ms: STALL_MS, everyMs: STALL_EVERY_MS },
      durationSec: Math.round((Date.now() - started) / 1000),
      loadAverage: { start: loadAtStart, end: load() },
      players: primary.players,
      ...(three ? { threeLinks: three.players } : {}),
      stockPeer: bestMpegts(primary.players),
      ...(accept ? { acceptToBothPlaying: accept } : {}),
      sourceArrivals: primary.sourceArrivals,
      sourceLateFrames: source.lateFrames,
      ...(sequential && together ? { sideBySide: together } : {}),
    };
    if (process.env.BENCH_TRACE) await writeFile(process.env.BENCH_TRACE, JSON.stringify(TRACES));
    console.log(JSON.stringify(summary));
  } finally {
    probe.close();
    await engine.close();
    await browser.close().catch(() => undefined);
    await heard.close();
    await source.stop();
    await proxy.close();
    await page.close();
    await origin.close();
    await room.close();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
