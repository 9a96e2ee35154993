// The OBS connection's clear errors where no OBS is needed: nothing listening, a 4.x-style server
// (no obs-websocket subprotocol), a bad address; and the pure readings of OBS's stream states and
// figures. The errors that need a real OBS (wrong password, close code 4009) are in obs-studio.test.ts.
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { LinkMicError } from '../../common/errors';
import { ObsClient } from '../obs/obs-client';
import { boxTransform, coHostInputSettings } from '../obs/obs-co-host-inputs';
import { toPushStats } from '../obs/obs-push-engine';
import { toObsStreamTarget } from '../obs/obs-stream-service';
import { toObsStreamStats } from '../obs/obs-stream-stats';
import { OBS_OUTPUT_STATES as S, ObsStreamStateMachine } from '../obs/obs-stream-states';

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(LinkMicError);
  return (error as LinkMicError).code;
}

describe('connecting to OBS', () => {
  const servers: WebSocketServer[] = [];
  afterEach(async () => {
    for (const server of servers.splice(0)) await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('says OBS is not running when nothing listens at the address', async () => {
    const port = await closedPort();
    expect(await codeOf(ObsClient.connect({ url: `ws://127.0.0.1:${port}`, password: 'x' }))).toBe('OBS_NOT_RUNNING');
  });

  it('says obs-websocket is too old when the server does not speak the obs-websocket 5 subprotocol (4.x)', async () => {
    // obs-websocket 4.x accepts the WebSocket but names no subprotocol and sends no Hello.
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0, handleProtocols: () => false });
    servers.push(server);
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    const port = (server.address() as net.AddressInfo).port;
    expect(await codeOf(ObsClient.connect({ url: `ws://127.0.0.1:${port}`, password: null }))).toBe('OBS_WEBSOCKET_TOO_OLD');
  });

  it('says OBS is not running when the server accepts the WebSocket but never says hello', async () => {
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    servers.push(server);
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    const port = (server.address() as net.AddressInfo).port;
    expect(await codeOf(ObsClient.connect({ url: `ws://127.0.0.1:${port}`, password: null, timeoutMs: 1500 }))).toBe('OBS_NOT_RUNNING');
  });

  it('refuses an address that is not ws:// or wss://', async () => {
    expect(await codeOf(ObsClient.connect({ url: 'http://127.0.0.1:4455', password: null }))).toBe('INVALID_URL');
  });
});

describe("reading OBS's stream states", () => {
  it('reads STARTING → STOPPED without STARTED as a refused stream (StartStream answered success)', () => {
    const machine = new ObsStreamStateMachine();
    machine.started();
    expect(machine.next(S.starting)).toBeNull();
    expect(machine.next(S.stopping)).toBeNull();
    expect(machine.next(S.stopped)).toEqual({ kind: 'stopped', cause: 'refused' });
  });

  it('reads a drop and its recovery as reconnecting then reconnected, counting attempts', () => {
    const machine = new ObsStreamStateMachine();
    machine.started();
    machine.next(S.starting);
    expect(machine.next(S.started)).toEqual({ kind: 'live' });
    expect(machine.next(S.reconnecting)).toEqual({ kind: 'reconnecting', attempt: 1 });
    expect(machine.reconnectAttempt).toBe(1);
    expect(machine.next(S.reconnecting)).toEqual({ kind: 'reconnecting', attempt: 2 });
    expect(machine.next(S.reconnected)).toEqual({ kind: 'reconnected', attempt: 2 });
    expect(machine.phase).toBe('live');
    expect(machine.reconnectAttempt).toBe(0);
  });

  it('tells the streamer stopping in OBS from our stop and from OBS giving up', () => {
    const inObs = new ObsStreamStateMachine();
    inObs.started();
    inObs.next(S.started);
    inObs.next(S.stopping);
    expect(inObs.next(S.stopped)).toEqual({ kind: 'stopped', cause: 'stopped-in-obs' });

    const ours = new ObsStreamStateMachine();
    ours.started();
    ours.next(S.started);
    ours.stopping();
    ours.next(S.stopping);
    expect(ours.next(S.stopped)).toEqual({ kind: 'stopped', cause: 'closed' });

    const gaveUp = new ObsStreamStateMachine();
    gaveUp.started();
    gaveUp.next(S.started);
    gaveUp.next(S.reconnecting);
    expect(gaveUp.next(S.stopped)).toEqual({ kind: 'stopped', cause: 'disconnected' });
  });

  it('ignores a stream the streamer started in OBS before the studio went live', () => {
    const machine = new ObsStreamStateMachine();
    expect(machine.next(S.starting)).toBeNull();
    expect(machine.next(S.started)).toBeNull();
    expect(machine.phase).toBe('idle');
  });
});

describe('what the studio writes into OBS', () => {
  it('splits a signed push URL into the rtmp_custom server and a stream key that keeps mix, txSecret and txTime', () => {
    const target = toObsStreamTarget('rtmp://127.0.0.1:1935/live/live_ab12?mix=session_id:1234;layer:b&txSecret=0123abcd&txTime=65F00000');
    expect(target).toEqual({ server: 'rtmp://127.0.0.1:1935/live', key: 'live_ab12?mix=session_id:1234;layer:b&txSecret=0123abcd&txTime=65F00000' });
    expect(() => toObsStreamTarget('rtmp://127.0.0.1/live')).toThrow(/rtmp:\/\/host\/app\/streamCode/);
  });

  it('opens co-hosts as network ffmpeg sources with a small buffer, 1 s reconnect and hardware decode', () => {
    expect(coHostInputSettings('rtmp://h/live/g')).toMatchObject({
      input: 'rtmp://h/live/g',
      is_local_file: false,
      buffering_mb: 1,
      reconnect_delay_sec: 1,
      hw_decode: true,
      close_when_inactive: false,
    });
  });

  it("places a co-host's box with bounds in canvas pixels, top-left aligned", () => {
    expect(boxTransform({ x: 0.68, y: 0.5, w: 0.3, h: 0.25 }, { width: 640, height: 360 })).toMatchObject({
      positionX: 435,
      positionY: 180,
      alignment: 5,
      boundsType: 'OBS_BOUNDS_SCALE_INNER',
      boundsWidth: 192,
      boundsHeight: 90,
    });
  });

  it("turns OBS's counters into the status bar's figures, the bitrate from the byte counter's slope", () => {
    const status = { outputActive: true, outputReconnecting: false, outputTimecode: '', outputDuration: 4000, outputCongestion: 0.05, outputBytes: 250_000, outputSkippedFrames: 3, outputTotalFrames: 120 };
    const stats = { cpuUsage: 12.34, memoryUsage: 200, availableDiskSpace: 1, activeFps: 30.0001, averageFrameRenderTime: 2, renderSkippedFrames: 1, renderTotalFrames: 120, outputSkippedFrames: 3, outputTotalFrames: 120, webSocketSessionIncomingMessages: 1, webSocketSessionOutgoingMessages: 1 };
    const figures = toObsStreamStats(status, stats, 3000, { at: 1000, bytes: 0 });
    expect(figures).toMatchObject({ bitrateKbps: 1000, fps: 30, skippedFrames: 3, totalFrames: 120, congestion: 0.05, cpuPercent: 12.3, durationMs: 4000 });
    expect(toObsStreamStats(status, stats, 3000, null).bitrateKbps).toBe(0);
    // The stats event the console gets: the output's total and skipped frames and the bytes it sent.
    expect(toPushStats(figures)).toMatchObject({ frames: 120, droppedFrames: 3, bytesSent: 250_000, congestion: 0.05, cpuPercent: 12.3 });
  });
});
