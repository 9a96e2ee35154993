// npm run bench:latency — glass-to-glass delay of our link player (HTTP-FLV and WS-FLV), our
// audience player and stock mpegts.js (liveSync tuned as in the latency notes), side by side in
// one real Chromium, on one live source (timestamp blocks + a 440 Hz tone) through one stall proxy:
// steady state, then ten 500 ms stalls, then the delay 5 s after the last stall.
// The last line of output is one JSON object with the figures.
import { chromium, type Page } from 'playwright-core';
import type {} from '../renderer/player/bench-page/bench-api';
import { playUrls, startOrigin } from './helpers/origin';
import { servePlayerPage } from './helpers/player-page';
import { StallProxy } from './helpers/stall-proxy';
import { TimestampSource } from './helpers/timestamp-source';

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

const PLAYERS = [
  { name: 'link-http-flv', player: 'link', transport: 'http', kind: 'link' },
  { name: 'link-ws-flv', player: 'link', transport: 'ws', kind: 'link' },
  { name: 'audience-http-flv', player: 'audience', transport: 'http', kind: 'audience' },
  { name: 'mpegts.js-http-flv', player: 'mpegts', transport: 'http', kind: 'link' },
] as const;
/** BENCH_PLAYERS=link-http-flv,… runs a subset (default: all, side by side). */
const SELECTED = process.env.BENCH_PLAYERS ? PLAYERS.filter((p) => process.env.BENCH_PLAYERS!.split(',').includes(p.name)) : PLAYERS;

function percentile(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!);
}

function inWindow(samples: Sample[], from: number, to: number): number[] {
  return samples.filter((s) => s.at >= from && s.at < to).map((s) => s.ageMs);
}

const sleep = (ms: number): Promise<void> => new Promise((ok) => setTimeout(ok, ms));

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
  try {
    source.start();
    await sleep(1000);
    const pages: { name: string; page: Page }[] = [];
    for (const p of SELECTED) {
      const tab = await browser.newPage({ viewport: { width: 400, height: 700 } });
      tab.on('pageerror', (error) => console.error(`${p.name}: ${error.message}`));
      const urls = playUrls(proxy.port, 'bench', p.kind);
      await tab.goto(`${page.url}?player=${p.player}&url=${encodeURIComponent(p.transport === 'ws' ? urls.ws : urls.http)}`);
      pages.push({ name: p.name, page: tab });
    }
    const opened = Date.now();
    console.log(`players open (${SELECTED.map((p) => p.name).join(', ')}); warm-up ${WARMUP_MS / 1000} s, steady ${STEADY_MS / 1000} s`);
    await sleep(WARMUP_MS);
    const steadyFrom = Date.now();
    await sleep(STEADY_MS);
    const steadyTo = Date.now();
    console.log(`injecting ${STALLS} stalls of ${STALL_MS} ms every ${STALL_EVERY_MS} ms`);
    for (let i = 0; i < STALLS; i += 1) {
      await proxy.pause(STALL_MS);
      if (i < STALLS - 1) await sleep(STALL_EVERY_MS - STALL_MS);
    }
    const lastStallEnd = Date.now();
    await sleep(AFTER_MS + 1000);

    const results: Record<string, unknown> = {};
    for (const { name, page: tab } of pages) {
      const data = await tab.evaluate(() => {
        const bench = window.__bench!;
        return { samples: bench.samples.map((s) => ({ at: s.at, ageMs: s.ageMs })), audio: bench.audioLatency.map((s) => ({ at: s.at, ageMs: s.ms })), unreadable: bench.unreadable, stats: bench.stats(), events: bench.events.map((e) => e.type) };
      });
      const steady = inWindow(data.samples, steadyFrom, steadyTo);
      const first = data.samples[0]?.at ?? opened;
      const startup = inWindow(data.samples, first, first + 5000);
      const stallPhase = inWindow(data.samples, steadyTo, lastStallEnd + AFTER_MS);
      const after = inWindow(data.samples, lastStallEnd + AFTER_MS - 500, lastStallEnd + AFTER_MS + 500);
      const stats = (data.stats ?? {}) as Record<string, unknown>;
      // The player's own estimate for the audio heard (pictures may lead it in link mode).
      const steadyAudio = inWindow(data.audio, steadyFrom, steadyTo);
      results[name] = {
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
    await Promise.all(pages.map(({ page: tab }) => tab.evaluate(() => window.__bench?.close()).catch(() => undefined)));

    console.log('\nplayer                 steady p50/p95   start-up max   stall phase p95   5 s after last stall');
    for (const [name, r] of Object.entries(results) as [string, { steady: { p50: number; p95: number }; startupMaxMs: number; stallPhase: { p95: number }; at5sAfterLastStallMs: number }][]) {
      console.log(`${name.padEnd(22)} ${`${r.steady.p50}/${r.steady.p95} ms`.padEnd(16)} ${`${r.startupMaxMs} ms`.padEnd(14)} ${`${r.stallPhase.p95} ms`.padEnd(17)} ${r.at5sAfterLastStallMs} ms`);
    }
    const summary = {
      bench: 'latency',
      source: { width: source.width, height: source.height, fps: source.fps, gop: source.fps, videoKbps: 800, audio: 'aac 48k mono 440 Hz tone' },
      stalls: { count: STALLS, ms: STALL_MS, everyMs: STALL_EVERY_MS },
      durationSec: Math.round((Date.now() - started) / 1000),
      players: results,
    };
    console.log(JSON.stringify(summary));
  } finally {
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
