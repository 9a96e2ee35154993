// npm run bench:latency — glass-to-glass delay of our link player (HTTP-FLV and WS-FLV), our
// audience player and stock mpegts.js (liveSync tuned as in the latency notes) in one real
// Chromium, on one live source (timestamp blocks + a 440 Hz tone) through one stall proxy: steady
// state, then ten 500 ms stalls, then the delay 5 s after the last stall.
// BENCH_MODE: 'one-at-a-time' (default): each player alone, one after the other, against the same
//   source and the same stall schedule (four players decoding at once on 2 cores inflate everyone's
//   jitter); 'side-by-side': all players at once, one schedule; 'both': one-at-a-time, then
//   side-by-side, in the same run.
// BENCH_SOURCE_VARIANTS=threads1,sliced2,…: instead, compare publisher settings (arrival jitter at a
//   Node reader while one link player loads the machine), alternating, BENCH_ROUNDS rounds (2).
// A Node reader on the origin (no browser) records the source's arrival jitter in every phase.
// The last line of output is one JSON object with the figures.
import { writeFile } from 'node:fs/promises';
import { chromium, type Browser, type Page } from 'playwright-core';
import type {} from '../renderer/player/bench-page/bench-api';
import { playUrls, startOrigin } from './helpers/origin';
import { servePlayerPage } from './helpers/player-page';
import { StallProxy } from './helpers/stall-proxy';
import { ArrivalProbe } from './helpers/timestamp-arrivals';
import { SOURCE_VARIANTS, TimestampSource, type SourceVariant } from './helpers/timestamp-source';

const WARMUP_MS = 6000;
const STEADY_MS = 20_000;
const STALLS = 10;
const STALL_MS = 500;
const STALL_EVERY_MS = 1500;
const AFTER_MS = 5000;

interface Sample {
  readonly at: number;
  readonly ageMs: number;
}

interface PlayerSpec {
  readonly name: string;
  readonly player: 'link' | 'audience' | 'mpegts';
  readonly transport: 'http' | 'ws';
  readonly kind: 'link' | 'audience';
  /** Extra bench-page parameters (jitter-estimator tuning). */
  readonly query?: string;
}

const PLAYERS: readonly PlayerSpec[] = [
  { name: 'link-http-flv', player: 'link', transport: 'http', kind: 'link' },
  { name: 'link-ws-flv', player: 'link', transport: 'ws', kind: 'link' },
  { name: 'audience-http-flv', player: 'audience', transport: 'http', kind: 'audience' },
  { name: 'mpegts.js-http-flv', player: 'mpegts', transport: 'http', kind: 'link' },
];
/** Only by name in BENCH_PLAYERS: the link player with the jitter estimator before 2026-11-25. */
const EXTRA_PLAYERS: readonly PlayerSpec[] = [
  { name: 'link-http-flv-slow-shrink', player: 'link', transport: 'http', kind: 'link', query: 'jitterWindowMs=5000&shrinkMsPerSec=20' },
  { name: 'link-ws-flv-slow-shrink', player: 'link', transport: 'ws', kind: 'link', query: 'jitterWindowMs=5000&shrinkMsPerSec=20' },
];
/** BENCH_PLAYERS=link-http-flv,… runs these, in this order (default: the four above). */
const SELECTED = process.env.BENCH_PLAYERS
  ? process.env.BENCH_PLAYERS.split(',').map((name) => [...PLAYERS, ...EXTRA_PLAYERS].find((p) => p.name === name)).filter((p): p is PlayerSpec => p !== undefined)
  : PLAYERS;
/** BENCH_TRACE=file.json writes every player's per-second stats there. */
const TRACES: Record<string, unknown> = {};

function percentile(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!);
}

function inWindow(samples: Sample[], from: number, to: number): number[] {
  return samples.filter((s) => s.at >= from && s.at < to).map((s) => s.ageMs);
}

const sleep = (ms: number): Promise<void> => new Promise((ok) => setTimeout(ok, ms));

type Mode = 'one-at-a-time' | 'side-by-side' | 'both';
const MODE: Mode = process.env.BENCH_MODE === 'side-by-side' || process.env.BENCH_MODE === 'both' ? process.env.BENCH_MODE : 'one-at-a-time';
const VARIANTS = (process.env.BENCH_SOURCE_VARIANTS ?? '').split(',').filter((v): v is SourceVariant => v in SOURCE_VARIANTS);
const ROUNDS = Math.max(1, Math.min(5, Number(process.env.BENCH_ROUNDS ?? 2) || 2));
const VARIANT_WARMUP_MS = 4000;
const VARIANT_MEASURE_MS = 15_000;

interface Rig {
  readonly browser: Browser;
  readonly pageUrl: string;
  readonly proxy: StallProxy;
  readonly originPort: number;
}

interface Tab {
  readonly name: string;
  readonly page: Page;
}

async function openPlayer(rig: Rig, p: PlayerSpec, code: string): Promise<Tab> {
  const tab = await rig.browser.newPage({ viewport: { width: 400, height: 700 } });
  tab.on('pageerror', (error) => console.error(`${p.name}: ${error.message}`));
  const urls = playUrls(rig.proxy.port, code, p.kind);
  await tab.goto(`${rig.pageUrl}?player=${p.player}&url=${encodeURIComponent(p.transport === 'ws' ? urls.ws : urls.http)}${p.query ? `&${p.query}` : ''}`);
  return { name: p.name, page: tab };
}

async function readSamples(tab: Page): Promise<{ samples: Sample[]; audio: Sample[]; unreadable: number; stats: unknown; trace: unknown[] }> {
  return tab.evaluate(() => {
    const bench = window.__bench!;
    return { samples: bench.samples.map((s) => ({ at: s.at, ageMs: s.ageMs })), audio: bench.audioLatency.map((s) => ({ at: s.at, ageMs: s.ms })), unreadable: bench.unreadable, stats: bench.stats(), trace: bench.trace };
  });
}

async function closeTabs(tabs: Tab[]): Promise<void> {
  await Promise.all(tabs.map(({ page: tab }) => tab.evaluate(() => window.__bench?.close()).catch(() => undefined)));
  await Promise.all(tabs.map(({ page: tab }) => tab.close().catch(() => undefined)));
}

/** Warm-up, steady phase, stalls, 5 s after: the figures of every open tab. */
async function runSchedule(rig: Rig, tabs: Tab[], probe: ArrivalProbe): Promise<{ players: Record<string, unknown>; sourceArrivals: unknown }> {
  const opened = Date.now();
  console.log(`players open (${tabs.map((t) => t.name).join(', ')}); warm-up ${WARMUP_MS / 1000} s, steady ${STEADY_MS / 1000} s`);
  await sleep(WARMUP_MS);
  const steadyFrom = Date.now();
  await sleep(STEADY_MS);
  const steadyTo = Date.now();
  console.log(`injecting ${STALLS} stalls of ${STALL_MS} ms every ${STALL_EVERY_MS} ms`);
  for (let i = 0; i < STALLS; i += 1) {
    await rig.proxy.pause(STALL_MS);
    if (i < STALLS - 1) await sleep(STALL_EVERY_MS - STALL_MS);
  }
  const lastStallEnd = Date.now();
  await sleep(AFTER_MS + 1000);

  const players: Record<string, unknown> = {};
  for (const { name, page: tab } of tabs) {
    const data = await readSamples(tab);
    TRACES[name] = { steadyFrom, steadyTo, lastStallEnd, trace: data.trace, samples: data.samples };
    const steady = inWindow(data.samples, steadyFrom, steadyTo);
    const first = data.samples[0]?.at ?? opened;
    const startup = inWindow(data.samples, first, first + 5000);
    const stallPhase = inWindow(data.samples, steadyTo, lastStallEnd + AFTER_MS);
    const after = inWindow(data.samples, lastStallEnd + AFTER_MS - 500, lastStallEnd + AFTER_MS + 500);
    const stats = (data.stats ?? {}) as Record<string, unknown>;
    // The player's own estimate for the audio heard (pictures may lead it in link mode).
    const steadyAudio = inWindow(data.audio, steadyFrom, steadyTo);
    players[name] = {
      steady: { p50: percentile(steady, 0.5), p95: percentile(steady, 0.95), frames: steady.length },
      startupMaxMs: startup.length ? Math.max(...startup) : null,
      stallPhase: { p50: percentile(stallPhase, 0.5), p95: percentile(stallPhase, 0.95), max: stallPhase.length ? Math.max(...stallPhase) : null },
      at5sAfterLastStallMs: percentile(after, 0.5),
      unreadablePictures: data.unreadable,
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
  return { players, sourceArrivals: probe.figures(steadyFrom, steadyTo) };
}

function printTable(title: string, results: Record<string, unknown>): void {
  console.log(`\n${title}\nplayer                 steady p50/p95   start-up max   stall phase p95   5 s after last stall`);
  for (const [name, r] of Object.entries(results) as [string, { steady: { p50: number; p95: number }; startupMaxMs: number; stallPhase: { p95: number }; at5sAfterLastStallMs: number }][]) {
    console.log(`${name.padEnd(22)} ${`${r.steady.p50}/${r.steady.p95} ms`.padEnd(16)} ${`${r.startupMaxMs} ms`.padEnd(14)} ${`${r.stallPhase.p95} ms`.padEnd(17)} ${r.at5sAfterLastStallMs} ms`);
  }
}

async function oneAtATime(rig: Rig, probe: ArrivalProbe): Promise<{ players: Record<string, unknown>; sourceArrivals: Record<string, unknown> }> {
  const players: Record<string, unknown> = {};
  const sourceArrivals: Record<string, unknown> = {};
  for (const p of SELECTED) {
    const tab = await openPlayer(rig, p, 'bench');
    try {
      const run = await runSchedule(rig, [tab], probe);
      Object.assign(players, run.players);
      sourceArrivals[p.name] = run.sourceArrivals;
    } finally {
      await closeTabs([tab]);
    }
  }
  printTable('one at a time', players);
  return { players, sourceArrivals };
}

async function sideBySide(rig: Rig, probe: ArrivalProbe): Promise<{ players: Record<string, unknown>; sourceArrivals: unknown }> {
  const tabs: Tab[] = [];
  try {
    for (const p of SELECTED) tabs.push(await openPlayer(rig, p, 'bench'));
    const run = await runSchedule(rig, tabs, probe);
    printTable('side by side', run.players);
    return run;
  } finally {
    await closeTabs(tabs);
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
      const tab = await openPlayer(rig, PLAYERS[0]!, code);
      try {
        await sleep(VARIANT_WARMUP_MS);
        const from = Date.now();
        await sleep(VARIANT_MEASURE_MS);
        const to = Date.now();
        const data = await readSamples(tab.page);
        const steady = inWindow(data.samples, from, to);
        const stats = (data.stats ?? {}) as Record<string, unknown>;
        const figures = { round, skippedFrames: source.skippedFrames, ...probe.figures(from, to), link: { p50: percentile(steady, 0.5), p95: percentile(steady, 0.95), jitterMs: stats.jitterMs, targetMs: stats.targetMs } };
        console.log(`${variant.padEnd(12)} ${JSON.stringify(figures)}`);
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
  const origin = await startOrigin();
  const proxy = new StallProxy({ host: '127.0.0.1', port: origin.httpPort });
  await proxy.listen();
  const source = new TimestampSource({ rtmpUrl: origin.pushUrl('bench') });
  const page = await servePlayerPage();
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--autoplay-policy=no-user-gesture-required'],
  });
  const rig: Rig = { browser, pageUrl: page.url, proxy, originPort: origin.httpPort };
  const probe = new ArrivalProbe(playUrls(origin.httpPort, 'bench', 'link').http);
  try {
    const base = {
      bench: 'latency',
      source: { width: source.width, height: source.height, fps: source.fps, gop: source.fps, videoKbps: 800, audio: 'aac 48k mono 440 Hz tone', variant: source.variant },
    };
    if (VARIANTS.length > 0) {
      const variants = await compareVariants(rig, (code) => origin.pushUrl(code));
      console.log(JSON.stringify({ ...base, mode: 'source-variants', rounds: ROUNDS, durationSec: Math.round((Date.now() - started) / 1000), variants }));
      return;
    }
    source.start();
    await sleep(1000);
    probe.start();
    const sequential = MODE === 'side-by-side' ? null : await oneAtATime(rig, probe);
    const together = MODE === 'one-at-a-time' ? null : await sideBySide(rig, probe);
    const primary = sequential ?? together!;
    const summary = {
      ...base,
      mode: MODE,
      stalls: { count: STALLS, ms: STALL_MS, everyMs: STALL_EVERY_MS },
      durationSec: Math.round((Date.now() - started) / 1000),
      players: primary.players,
      sourceArrivals: primary.sourceArrivals,
      sourceSkippedFrames: source.skippedFrames,
      ...(sequential && together ? { sideBySide: together } : {}),
    };
    if (process.env.BENCH_TRACE) await writeFile(process.env.BENCH_TRACE, JSON.stringify(TRACES));
    console.log(JSON.stringify(summary));
  } finally {
    probe.close();
    await browser.close().catch(() => undefined);
    await source.stop();
    await proxy.close();
    await page.close();
    await origin.close();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
