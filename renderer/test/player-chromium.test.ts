// The low-latency player in real Chromium against the real origin and a live ffmpeg source:
// it plays (pictures advance and carry readable timestamp blocks), catches up after a stall, and
// reconnects by itself after the publisher restarts. Behaviour only; speed is in bench:latency.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PlayerHarness, snapshot, waitFor } from './helpers/player-harness';

const CODE = 'playertest';
const harness = new PlayerHarness();

beforeAll(async () => {
  await harness.start(CODE);
}, 60_000);

afterAll(async () => {
  await harness.close();
}, 30_000);

describe('LowLatencyPlayer in Chromium', () => {
  it('plays a live HTTP-FLV stream: pictures advance, audio drives the clock, nothing clicks', async () => {
    const tab = await harness.open(CODE);
    const first = await waitFor(tab, (s) => s.samples.length >= 10, 20_000, 'ten readable pictures');
    const later = await waitFor(tab, (s) => s.samples.length >= first.samples.length + 15, 20_000, 'more pictures');
    const counters = later.samples.map((s) => s.counter);
    expect(counters[counters.length - 1]).not.toBe(counters[0]); // the picture changes: video time advances
    expect(later.unreadable).toBeLessThan(later.samples.length / 10); // pictures are not blank or torn
    expect(later.stats).toMatchObject({
      state: 'playing',
      clock: 'audio',
      mediaPath: 'worker',
      video: { codec: expect.stringMatching(/^avc1\./), width: 360, height: 640 },
      audio: { codec: 'mp4a.40.2', sampleRate: 48000, channels: 1 },
    });
    expect(later.stats?.audioClicks).toBe(0);
    await harness.closeTab(tab);
  });

  it('plays WS-FLV too', async () => {
    const tab = await harness.open(CODE, { transport: 'ws' });
    const s = await waitFor(tab, (x) => x.samples.length >= 10, 20_000, 'ten readable pictures over WS-FLV');
    expect(s.stats).toMatchObject({ transport: 'ws-flv', state: 'playing', mediaPath: 'worker' });
    await harness.closeTab(tab);
  });

  it('catches up after a stall instead of keeping the delay', async () => {
    const tab = await harness.open(CODE);
    await waitFor(tab, (s) => s.samples.length >= 10, 20_000, 'playback');
    const before = await snapshot(tab);
    const stallAt = Date.now();
    await harness.proxy.pause(1200);
    // The stall's delay goes either way: the audio playout keeps time through the gap and skips
    // the audio that came late (the default), or the controller drops to its target.
    const skippedBefore = Number(before.stats?.audioSkippedLateMs ?? 0);
    // The stall is waited for too: the late audio can be skipped before the stall event is logged.
    const after = await waitFor(
      tab,
      (s) =>
        s.events.some((e) => e.type === 'stall' && e.at > stallAt) &&
        (Number(s.stats?.audioSkippedLateMs) > skippedBefore + 500 ||
          s.events.some((e) => e.type === 'correction' && e.at > stallAt && ['drop', 'keyframe-skip'].includes((e.detail as { kind: string }).kind))),
      15_000,
      'the stall, then late audio skipped or a drop or keyframe-skip correction',
    );
    expect(after.events.some((e) => e.type === 'stall' && e.at > stallAt)).toBe(true);
    expect(Number(after.stats?.stalls)).toBeGreaterThan(Number(before.stats?.stalls));
    // It does not keep the stall's delay: the backlog the burst brought is played out or dropped
    // (what is queued falls back under a generous bound), and what is shown is younger than the
    // stall was long. Behaviour, not speed: on a loaded machine the publisher itself can be late,
    // which no player can remove, so the edge estimate is not asserted here (bench:latency is).
    const settled = await waitFor(
      tab,
      (s) => Number(s.stats?.bufferMs) < 400 && s.samples.some((x) => x.at > stallAt + 3000),
      20_000,
      'the backlog gone and pictures after the stall',
    );
    const recent = settled.samples.filter((s) => s.at > stallAt + 3000).map((s) => s.ageMs);
    expect(recent.length).toBeGreaterThan(0);
    expect(Math.min(...recent)).toBeLessThan(1200);
    // No thrashing: keyframe-skips have a cooldown, so a single stall causes only a few.
    expect(Number((settled.stats?.corrections as Record<string, number>)['keyframe-skip'])).toBeLessThanOrEqual(3);
    expect(settled.stats?.audioClicks).toBe(0);
    await harness.closeTab(tab);
  });

  it('reconnects by itself after the publisher restarts, and tells the page', async () => {
    const tab = await harness.open(CODE);
    await waitFor(tab, (s) => s.samples.length >= 5, 20_000, 'playback');
    const stoppedAt = Date.now();
    await harness.source.stop();
    await waitFor(tab, (s) => s.events.some((e) => e.type === 'reconnect' && e.at > stoppedAt), 15_000, 'a reconnect event');
    harness.source.start();
    const back = await waitFor(
      tab,
      (s) => s.events.some((e) => e.type === 'reconnect_success' && e.at > stoppedAt) && s.samples.some((x) => x.at > stoppedAt + 500),
      30_000,
      'reconnect_success and new pictures',
    );
    expect(back.events.some((e) => e.type === 'state' && (e.detail as { state: string }).state === 'reconnecting')).toBe(true);
    expect(Number(back.stats?.reconnects)).toBeGreaterThan(0);
    expect(back.stats?.state).toBe('playing');
    await harness.closeTab(tab);
  });

  it('plays on the page itself when the media worker is off, and in audience mode', async () => {
    const onPage = await harness.open(CODE, { query: 'mediaWorker=0' });
    const link = await waitFor(onPage, (x) => x.samples.length >= 10 && x.stats?.clock === 'audio', 20_000, 'link playback on the page');
    expect(link.stats).toMatchObject({ state: 'playing', mediaPath: 'page', audio: { sampleRate: 48000 } });
    await harness.closeTab(onPage);
    const audience = await harness.open(CODE, { player: 'audience' });
    const s = await waitFor(audience, (x) => x.samples.length >= 5, 30_000, 'audience playback');
    expect(s.stats).toMatchObject({ mode: 'audience', mediaPath: 'page' });
    await harness.closeTab(audience);
  });

  it('plays on the page when the media worker cannot start, and says so', async () => {
    const tab = await harness.open(CODE, { query: 'mediaWorkerUrl=missing-media-worker.js' });
    const s = await waitFor(tab, (x) => x.samples.length >= 10 && x.stats?.clock === 'audio', 30_000, 'playback without the worker');
    expect(s.stats).toMatchObject({ state: 'playing', mediaPath: 'page' });
    expect(s.events.some((e) => e.type === 'error' && String((e.detail as { message: string }).message).includes('media worker unavailable'))).toBe(true);
    await harness.closeTab(tab);
  });

  // What the media worker is for: a busy page (three co-host tiles, the studio's own work) must
  // not delay the audio that is heard. The page's main thread is blocked for a second; the worker
  // reads, decodes and feeds the audio output meanwhile, so most of that second's audio is heard
  // on time. On the page's own thread (mediaWorker=0) the audio of the whole spell comes late and is
  // skipped (578 ms of a 600 ms spell in a run of this check on 2026-12-06, docs/player.md); with the
  // worker, 0 ms on a quiet machine and 323 ms of 600 once under a loaded CI run (other suites
  // compete for the 2 cores), hence the bound of half the spell.
  it('keeps the audio flowing while the page is busy', async () => {
    const busyMs = 1000;
    const tab = await harness.open(CODE);
    const playing = await waitFor(tab, (x) => x.samples.length >= 20 && x.stats?.clock === 'audio', 30_000, 'audio playback');
    expect(playing.stats?.mediaPath).toBe('worker');
    const skippedBefore = Number(playing.stats?.audioSkippedLateMs);
    await tab.evaluate((ms) => {
      const until = performance.now() + ms;
      while (performance.now() < until) {
        // the page's main thread is busy
      }
    }, busyMs);
    const blockedAt = Date.now();
    const after = await waitFor(tab, (x) => x.samples.some((s) => s.at > blockedAt + 1500), 20_000, 'pictures after the busy spell');
    expect(Number(after.stats?.audioSkippedLateMs) - skippedBefore).toBeLessThan(busyMs / 2);
    expect(after.stats?.audioClicks).toBe(0);
    await harness.closeTab(tab);
  });
});
