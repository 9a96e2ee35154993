// bench:aec — echo cancellation end to end, measured on what goes on air.
//
//   host:    a real StudioCore (embedded LinkMicServer = the origin) live as big host with the
//            `renderer-mic` audio source, behind the real WebHost (AEC_PCM_PATH=engine: a bare
//            LinkMicServer + PushEngine instead; see helpers/on-air-path.ts)
//   co-host: espeak far-end speech + test pattern → ffmpeg → RTMP → the origin, same session_id
//   studio:  Chromium (PulseAudio room) plays the co-host's low-latency FLV with the studio's
//            LowLatencyPlayer (Web Audio, default output = room `speaker`), the room echoes it
//            (60 ms loopback) into `mic` together with a near-end voice played into `micmix`;
//            the studio's MicCapture (renderer/audio) sends 20 ms s16le frames over a WebSocket
//            to a Node sink that records them and forwards each through the web host's bridge
//            (sendAudioFrame) to StudioCore and the PushEngine, which pushes RTMP to the origin.
//   measured: the PCM the engine receives, and the pushed stream pulled back from the origin
//            (ffmpeg), in an AEC-off run and an AEC-on run (noise suppression and AGC off).
//
// Timeline of a run, from the far-end onset T0 as heard at the speaker:
//   [T0, T0+7)        far end only          → ERLE (AEC off level − AEC on level), convergence
//   [T0+7, T0+11.5)   far end + near end     → double talk
//   [T0+13.5, T0+18)  near end alone (same clip) → near-end retention = double talk − alone
// Ends with one JSON line of figures. Bounded: each run ~25 s, the whole bench ~1 min (5 min cap).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { AecHarness } from '../renderer/aec-test/aec-harness';
import type { ActiveProcessingReport, AudioProcessingFlags } from '../renderer/audio/audio-processing';
import { AecPage } from './helpers/aec-page';
import { PcmRecording, convergenceSec, envelopeLag, erleDb, locateClip, percentileWindowDb, retentionDb, round, segmentDb } from './helpers/audio-metrics';
import { openOnAirPath, type OnAirPath, type OnAirPathKind } from './helpers/on-air-path';
import { PulseRoom } from './helpers/pulse-room';
import { FAR_END_TEXT, FAR_END_VOICE, NEAR_END_TEXT, NEAR_END_VOICE, readWav, synthesize, timeline, writeWav } from './helpers/speech';

declare global {
  interface Window {
    aecHarness: AecHarness;
  }
}

const ECHO_DELAY_MS = Number(process.env['AEC_ECHO_DELAY_MS'] ?? 60);
/** `studio` (default): through the web host bridge and StudioCore; `engine`: straight into PushEngine.pushPcm. */
/** AEC_DUMP_DIR=folder writes each run's engine PCM, speaker and pushed audio as wav (from T0 − 1 s). */
const PCM_PATH: OnAirPathKind = process.env['AEC_PCM_PATH'] === 'engine' ? 'engine' : 'studio';
const FAR_LEAD_S = 1.5;
const FAR_SPEECH_S = 12;
const FAR_TAIL_S = 9;
const NEAR_CLIP_S = 4.5;
const DOUBLE_TALK_AT = 7;
const NEAR_ALONE_AT = 13.5;
const RUN_END = 19;
const CONVERGENCE_MARGIN_DB = 30;
/** Segments, in seconds from T0 (guards keep clip onsets and transport jitter out). */
const SEG = {
  farOnly: [2, 6.8],
  farOnlyFull: [0, 6.8],
} as const;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (message: string) => process.stderr.write(`[bench:aec] ${message}\n`);

interface RunResult {
  readonly aec: boolean;
  readonly report: ActiveProcessingReport | null;
  /** Both aligned so that index 0 is T0 − 1 s. */
  readonly engine: Int16Array;
  readonly pushed: Int16Array | null;
  readonly speaker: Int16Array;
  readonly pushedLagMs: number | null;
  readonly player: unknown;
  readonly gapFrames: number;
}

/** The player figures that disturb an echo canceller: underruns, dropped audio, rate changes. */
function playoutSummary(stats: unknown): Record<string, unknown> | null {
  if (!stats || typeof stats !== 'object') return null;
  const s = stats as Record<string, unknown>;
  return { latencyMs: s['latencyMs'], audioUnderruns: s['audioUnderruns'], audioDroppedMs: s['audioDroppedMs'], corrections: s['corrections'] };
}

function spawnLogged(name: string, args: string[]): { child: ChildProcess; exited: Promise<void> } {
  const child = spawn('ffmpeg', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let tail = '';
  child.stderr?.on('data', (c: Buffer) => {
    tail = (tail + c.toString()).slice(-2000);
  });
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      if (code !== 0 && code !== 255 && signal === null) log(`${name} exited with ${code}: ${tail.trim().split('\n').slice(-3).join(' | ')}`);
      resolve();
    }),
  );
  return { child, exited };
}

async function stop(proc: { child: ChildProcess; exited: Promise<void> } | null): Promise<void> {
  if (!proc) return;
  if (proc.child.exitCode === null && proc.child.signalCode === null) {
    proc.child.kill('SIGTERM');
    const timer = setTimeout(() => proc.child.kill('SIGKILL'), 3000);
    await proc.exited;
    clearTimeout(timer);
  }
}

async function main(): Promise<Record<string, unknown>> {
  const started = Date.now();
  const dir = await mkdtemp(join(tmpdir(), 'bench-aec-'));
  let room: PulseRoom | null = null;
  let onAir: OnAirPath | null = null;
  let page: AecPage | null = null;
  let sinkServer: WebSocketServer | null = null;
  let pull: { child: ChildProcess; exited: Promise<void> } | null = null;
  let coHost: { child: ChildProcess; exited: Promise<void> } | null = null;
  try {
    // ---- speech
    const farClip = (await readWav(await synthesize(dir, 'far-clip', FAR_END_TEXT, FAR_END_VOICE, FAR_SPEECH_S))).samples;
    const nearPath = await synthesize(dir, 'near', NEAR_END_TEXT, NEAR_END_VOICE, NEAR_CLIP_S);
    const farPath = join(dir, 'far.wav');
    await writeWav(farPath, timeline(FAR_LEAD_S + FAR_SPEECH_S + FAR_TAIL_S, [{ at: FAR_LEAD_S, samples: farClip }]));

    // ---- room, origin, engine, PCM sink
    room = await PulseRoom.start({ echoDelayMs: ECHO_DELAY_MS });
    onAir = await openOnAirPath(PCM_PATH);
    log(`on air through: ${onAir.description}`);
    const path = onAir;
    let engineRec = new PcmRecording();
    sinkServer = new WebSocketServer({ host: '127.0.0.1', port: 0, path: '/pcm', maxPayload: 96_000 });
    await new Promise<void>((r) => sinkServer!.once('listening', () => r()));
    sinkServer.on('connection', (socket: WebSocket) => {
      socket.on('message', (data: Buffer, isBinary: boolean) => {
        if (!isBinary) return;
        engineRec.add(data);
        path.pushPcm(data);
      });
    });
    const sinkUrl = `ws://127.0.0.1:${(sinkServer.address() as AddressInfo).port}/pcm`;

    // ---- the pushed stream, pulled back from the origin for the whole bench
    let pushedRec = new PcmRecording();
    const hostPlay = path.server.urls.audienceUrl(path.hostStreamCode);
    pull = spawnLogged('pull', ['-nostdin', '-loglevel', 'error', '-fflags', 'nobuffer', '-i', hostPlay, '-vn', '-f', 's16le', '-ac', '1', '-ar', '48000', 'pipe:1']);
    pull.child.stdout?.on('data', (chunk: Buffer) => pushedRec.add(chunk));

    page = await AecPage.open(room);
    const coHostPlay = path.server.urls.linkPlayUrl('http-flv', 'cohost', path.sessionId);

    const runs: RunResult[] = [];
    for (const aec of [false, true]) {
      const flags: AudioProcessingFlags = { echoCancellation: aec, noiseSuppression: false, autoGainControl: false };
      log(`run AEC ${aec ? 'on' : 'off'}`);
      const speakerRec = new PcmRecording();
      const parec = room.record('speaker.monitor', (chunk, at) => speakerRec.add(chunk, at));
      const report = await page.page.evaluate((request) => window.aecHarness.startCapture(request), { processing: flags, sinkUrl });
      // The co-host goes live, then the studio links to it (low-latency play, Web Audio playout).
      coHost = spawnLogged('co-host', [
        '-nostdin', '-loglevel', 'error',
        '-re', '-f', 'lavfi', '-i', 'testsrc2=size=320x480:rate=15',
        '-re', '-i', farPath,
        '-map', '0:v', '-map', '1:a',
        '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-g', '15', '-sc_threshold', '0', '-b:v', '300k', '-pix_fmt', 'yuv420p',
        '-c:a', 'aac', '-b:a', '96k', '-ar', '48000', '-ac', '1',
        '-shortest', '-f', 'flv', path.server.urls.pushUrl('cohost', { sessionId: path.sessionId, layer: 's' }),
      ]);
      await page.page.evaluate((url) => window.aecHarness.startCoHost(url), coHostPlay);
      // T0: the far end's first word at the speaker.
      const searchFrom = Date.now();
      let t0: number | null = null;
      while (t0 === null) {
        if (Date.now() - searchFrom > 20_000) throw new Error('the co-host never sounded at the speaker (player or push failed)');
        await sleep(50);
        t0 = speakerRec.onsetAfter(searchFrom, -50);
      }
      log(`far end heard ${Math.round(t0 - searchFrom)} ms after the co-host started`);
      const nearPlays: Promise<void>[] = [];
      for (const at of [DOUBLE_TALK_AT, NEAR_ALONE_AT]) {
        nearPlays.push(
          sleep(Math.max(0, t0 + at * 1000 - Date.now())).then(() => room!.play(nearPath).done),
        );
      }
      await sleep(Math.max(0, t0 + RUN_END * 1000 - Date.now()));
      await Promise.all(nearPlays);
      const player = await page.page.evaluate(() => window.aecHarness.coHostStats());
      await page.page.evaluate(() => window.aecHarness.stopCoHost());
      await stop(coHost);
      coHost = null;
      const status = await page.page.evaluate(() => window.aecHarness.status());
      await page.page.evaluate(() => window.aecHarness.stopCapture());
      parec.kill('SIGTERM');
      await sleep(1500); // the pushed stream's tail reaches the pull

      const from = t0 - 1000;
      const to = t0 + RUN_END * 1000;
      const engineSeg = engineRec.sliceWall(from, to);
      let pushed: Int16Array | null = null;
      let pushedLagMs: number | null = null;
      if (pushedRec.sampleCount > 0) {
        const rough = pushedRec.sliceWall(from - 500, to + 3000);
        const lag = envelopeLag(engineSeg, rough, 3);
        pushedLagMs = Math.round((lag / 48) - 500);
        pushed = pushedRec.sliceWall(from + pushedLagMs, to + pushedLagMs);
      }
      const dumpDir = process.env['AEC_DUMP_DIR'];
      if (dumpDir) {
        const tag = aec ? 'aec-on' : 'aec-off';
        await writeWav(join(dumpDir, `${tag}-engine.wav`), engineSeg);
        await writeWav(join(dumpDir, `${tag}-speaker.wav`), speakerRec.sliceWall(from, to));
        if (pushed) await writeWav(join(dumpDir, `${tag}-pushed.wav`), pushed);
      }
      runs.push({ aec, report, engine: engineSeg, pushed, speaker: speakerRec.sliceWall(from, to), pushedLagMs, player, gapFrames: status.gapFrames });
      // Fresh recordings per run keep memory flat.
      engineRec = new PcmRecording();
      pushedRec = new PcmRecording();
    }

    const pcmCounters = await path.pcmCounters();
    // ---- figures
    const [off, on] = runs as [RunResult, RunResult];
    const at = (samples: Int16Array, [a, b]: readonly [number, number]) => segmentDb(samples, 1 + a, 1 + b);
    // Segments follow the content, not the sample count: under CPU stalls a capture can lose time
    // (the engine's wall-clock feeder fills it with silence), which would slide later content into
    // earlier segments. Anchors: the far end's echo (AEC off, against the speaker recording) and the
    // near-end clip (both runs). Each anchor is reported as its shift from the planned timeline.
    const nearClip = (await readWav(nearPath)).samples;
    const farTemplate = off.speaker.subarray(48_000, Math.round(48_000 * (1 + SEG.farOnlyFull[1])));
    const anchorsOf = (samples: Int16Array, aec: boolean) => {
      const doubleTalk = locateClip(samples, nearClip, 1 + DOUBLE_TALK_AT, 2);
      const nearAlone = locateClip(samples, nearClip, 1 + NEAR_ALONE_AT, 2);
      // T0 in the array: from the echo when it is there, else from the near end played 7 s after T0.
      const t0 = aec ? doubleTalk - DOUBLE_TALK_AT : locateClip(samples, farTemplate, 1, 2);
      return { t0, doubleTalk, nearAlone };
    };
    const seg = (samples: Int16Array, from: number, [a, b]: readonly [number, number]) => segmentDb(samples, from + a, from + b);
    const shiftMs = (located: number, planned: number) => Math.round((located - planned) * 1000);
    const figures = (key: 'engine' | 'pushed') => {
      const offS = off[key];
      const onS = on[key];
      if (!offS || !onS) return null;
      const ao = anchorsOf(offS, false);
      const an = anchorsOf(onS, true);
      const farOff = seg(offS, ao.t0, SEG.farOnly);
      const farOn = seg(onS, an.t0, SEG.farOnly);
      const nearWindow = [0.2, NEAR_CLIP_S - 0.2] as const;
      const dt = seg(onS, an.doubleTalk, nearWindow);
      const alone = seg(onS, an.nearAlone, nearWindow);
      const median = (samples: Int16Array, t0: number) => percentileWindowDb(samples, t0 + SEG.farOnly[0], t0 + SEG.farOnly[1]);
      return {
        erleDb: round(erleDb(farOff, farOn)),
        erleWholeFarOnlyDb: round(erleDb(seg(offS, ao.t0, SEG.farOnlyFull), seg(onS, an.t0, SEG.farOnlyFull))),
        erleMedianWindowDb: round(erleDb(median(offS, ao.t0), median(onS, an.t0))),
        farOnlyAecOffDb: round(farOff),
        farOnlyAecOnDb: round(farOn),
        nearRetentionDb: round(retentionDb(dt, alone)),
        doubleTalkAecOnDb: round(dt),
        nearAloneAecOnDb: round(alone),
        nearAloneAecOffDb: round(seg(offS, anchorsOf(offS, false).nearAlone, nearWindow)),
        convergenceSec: round(
          convergenceSec(offS.subarray(Math.round(ao.t0 * 48_000)), onS.subarray(Math.round(an.t0 * 48_000)), 0, SEG.farOnlyFull[1], { marginDb: CONVERGENCE_MARGIN_DB }),
          2,
        ),
        timelineShiftMs: {
          off: { t0: shiftMs(ao.t0, 1), nearAlone: shiftMs(ao.nearAlone, 1 + NEAR_ALONE_AT) },
          on: { t0: shiftMs(an.t0, 1), doubleTalk: shiftMs(an.doubleTalk, 1 + DOUBLE_TALK_AT), nearAlone: shiftMs(an.nearAlone, 1 + NEAR_ALONE_AT) },
        },
      };
    };
    const engineFigures = figures('engine');
    const pushedFigures = figures('pushed');
    const farAtSpeakerDb = round(at(off.speaker, SEG.farOnly));
    const result = {
      bench: 'aec',
      echoDelayMs: ECHO_DELAY_MS,
      player: 'renderer/player LowLatencyPlayer (link mode)',
      pcmPath: path.description,
      pcmFramesAtCore: pcmCounters,
      erleEngineDb: engineFigures?.erleDb ?? null,
      erlePushedDb: pushedFigures?.erleDb ?? null,
      nearRetentionEngineDb: engineFigures?.nearRetentionDb ?? null,
      nearRetentionPushedDb: pushedFigures?.nearRetentionDb ?? null,
      convergenceSec: engineFigures?.convergenceSec ?? null,
      convergenceMarginDb: CONVERGENCE_MARGIN_DB,
      farAtSpeakerDb,
      engine: engineFigures,
      pushed: pushedFigures,
      pushedLagMs: { off: off.pushedLagMs, on: on.pushedLagMs },
      activeProcessing: { off: off.report?.active ?? null, on: on.report?.active ?? null },
      gapFrames: { off: off.gapFrames, on: on.gapFrames },
      coHostPlayout: { off: playoutSummary(off.player), on: playoutSummary(on.player) },
      loadAverage1m: round(loadavg()[0] ?? 0, 2),
      aims: {
        erleEngine55: (engineFigures?.erleDb ?? 0) >= 55,
        erlePushed30: (pushedFigures?.erleDb ?? 0) >= 30,
        nearDuckedAtMost6: (engineFigures?.nearRetentionDb ?? -99) >= -6,
      },
      playerStats: { off: off.player, on: on.player },
      seconds: round((Date.now() - started) / 1000),
    };
    const { playerStats, ...summary } = result;
    log(`player stats: ${JSON.stringify(playerStats)}`);
    return summary;
  } finally {
    await stop(coHost);
    await page?.close();
    await stop(pull);
    if (sinkServer) {
      for (const client of sinkServer.clients) client.terminate();
      await new Promise<void>((r) => sinkServer!.close(() => r()));
    }
    await onAir?.close();
    await room?.close();
    await rm(dir, { recursive: true, force: true });
  }
}

const deadline = setTimeout(() => {
  log('took longer than 5 minutes; giving up');
  process.exit(2);
}, 300_000);
deadline.unref();
main().then(
  (summary) => {
    // Last line of the output, after every child has stopped and logged.
    console.log(JSON.stringify(summary));
    process.exit(0);
  },
  (error: unknown) => {
    log(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  },
);
