// Malformed RTMP peers (issue 11 item 1, issue 17 item 4): each bad connection is closed with a
// logged reason, and the same server then still takes a signed publish and serves its players.
import net from 'node:net';
import amf from 'node-media-server/src/protocol/amf.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LinkMicServer } from '../link-mic-server';
import { HttpFlvPlayer } from './helpers/flv-reader';
import { captureLogger, type CapturedLog } from './helpers/log-capture';
import { startTestServer, waitFor } from './helpers/media';
import { RawRtmpClient } from './helpers/raw-rtmp-client';
import { SeededRandom } from './helpers/seeded-random';

const HANDSHAKE_DEADLINE_MS = 1200;
const COMMAND_DEADLINE_MS = 2400;

function u32(value: number): Buffer {
  const buffer = Buffer.alloc(4);
  buffer.writeUInt32BE(value >>> 0);
  return buffer;
}

describe('the origin and malformed RTMP peers', () => {
  let server: LinkMicServer;
  let lines: CapturedLog[];
  let probe = 0;

  beforeAll(async () => {
    const captured = captureLogger('debug');
    lines = captured.lines;
    server = await startTestServer({ logger: captured.logger, handshakeTimeoutMs: HANDSHAKE_DEADLINE_MS, commandTimeoutMs: COMMAND_DEADLINE_MS });
  });
  afterAll(async () => {
    await server?.close();
  });

  function client(options: { ignoreFin?: boolean } = {}): RawRtmpClient {
    return new RawRtmpClient({ host: '127.0.0.1', port: server.rtmpPort, ...options });
  }

  /** The log lines about dropped RTMP peers written since `from`. */
  function dropsSince(from: number): CapturedLog[] {
    return lines.slice(from).filter((line) => line.msg === 'RTMP peer dropped');
  }

  /** A signed publish on the same server reaches an HTTP-FLV player and an RTMP player. */
  async function expectStillServes(): Promise<void> {
    probe += 1;
    const code = `probe${probe}`;
    const publisher = client();
    const rtmpPlayer = client();
    const flvPlayer = new HttpFlvPlayer(server.urls.audienceUrl(code));
    try {
      await publisher.open();
      const { txSecret, txTime } = server.urls.signature(code);
      expect(await publisher.publish(`${code}?txSecret=${txSecret}&txTime=${txTime}`)).toMatchObject({ code: 'NetStream.Publish.Start' });
      expect(await flvPlayer.response).toBe(200);
      await rtmpPlayer.open();
      expect((await rtmpPlayer.play(code)).level).toBe('status');
      let rtmpMedia = 0;
      rtmpPlayer.on('media', () => (rtmpMedia += 1));
      publisher.sendMetadata({ width: 320, height: 240 });
      publisher.sendVideoHeader();
      publisher.sendAudioHeader();
      for (let i = 0; i < 40 && (flvPlayer.mediaTags < 10 || rtmpMedia < 10); i++) {
        publisher.sendVideo(i * 40, i % 10 === 0, Buffer.alloc(800, 0x42));
        publisher.sendAudio(i * 40, Buffer.alloc(100, 0x24));
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await flvPlayer.waitForMediaTags(10);
      await waitFor(() => rtmpMedia >= 10, 'the RTMP player to receive media');
    } finally {
      await Promise.all([publisher.destroy(), rtmpPlayer.destroy(), flvPlayer.close()]);
    }
  }

  /** Completes the handshake, sends `payload` as one command message, and expects the peer to be dropped with `code`. */
  async function expectCommandDropped(payload: Buffer, code: string): Promise<void> {
    const from = lines.length;
    const peer = client();
    await peer.handshake();
    peer.sendMessage(2, 1, 0, 0, u32(60_000)); // the chunk size the client writes with
    peer.sendCommandPayload(payload);
    await peer.waitClosed();
    await waitFor(() => dropsSince(from).length > 0, 'the drop to be logged');
    expect(dropsSince(from)[0]).toMatchObject({ code });
    expect(peer.statuses.map((s) => s.code)).not.toContain('NetStream.Connect.Success');
    await expectStillServes();
  }

  it('closes a connect without tcUrl (the one-packet crash of issue 11) and keeps serving', async () => {
    await expectCommandDropped(amf.encodeAmf0Cmd({ cmd: 'connect', transId: 1, cmdObj: { app: 'live' } }), 'INVALID_MESSAGE');
  });

  it('closes a connect whose tcUrl is not a URL', async () => {
    await expectCommandDropped(amf.encodeAmf0Cmd({ cmd: 'connect', transId: 1, cmdObj: { app: 'live', tcUrl: 'not a url' } }), 'INVALID_MESSAGE');
  });

  it('closes a connect whose command object is null, a number, or whose app is not a string', async () => {
    await expectCommandDropped(amf.encodeAmf0Cmd({ cmd: 'connect', transId: 1, cmdObj: null }), 'INVALID_MESSAGE');
    await expectCommandDropped(amf.encodeAmf0Cmd({ cmd: 'connect', transId: 1, cmdObj: 7 }), 'INVALID_MESSAGE');
    await expectCommandDropped(amf.encodeAmf0Cmd({ cmd: 'connect', transId: 1, cmdObj: { app: 5, tcUrl: 'rtmp://127.0.0.1/live' } }), 'INVALID_MESSAGE');
  });

  it('closes a connect whose AMF0 is truncated, at every cut', async () => {
    const whole = amf.encodeAmf0Cmd({ cmd: 'connect', transId: 1, cmdObj: { app: 'live', tcUrl: 'rtmp://127.0.0.1/live', flashVer: 'x' } });
    // cuts inside the command name, the transaction id, a property name and a string value
    for (const cut of [3, 12, 20, whole.length - 12, whole.length - 3]) await expectCommandDropped(whole.subarray(0, cut), 'INVALID_MESSAGE');
  });

  it('closes publish and play commands whose stream name is not a string, and AMF0 nested beyond reason', async () => {
    const connected = async (): Promise<RawRtmpClient> => {
      const peer = client();
      await peer.open();
      return peer;
    };
    for (const streamName of [null, 42, { a: 1 }]) {
      for (const cmd of ['publish', 'play']) {
        const peer = await connected();
        const from = lines.length;
        peer.sendCommandPayload(amf.encodeAmf0Cmd({ cmd, transId: 5, cmdObj: null, streamName }), 1);
        await peer.waitClosed();
        await waitFor(() => lines.slice(from).some((l) => l.msg === 'RTMP peer dropped' || /refused/.test(l.msg)), `${cmd} with a ${typeof streamName} name to be answered`);
      }
    }
    // 5000 nested objects: the decoder must not take the process down (stack or memory)
    const deep = Buffer.concat([amf.amf0EncodeOne('connect'), amf.amf0EncodeOne(1), Buffer.alloc(5000 * 4, Buffer.from([0x03, 0x00, 0x01, 0x61]))]);
    await expectCommandDropped(deep, 'INVALID_MESSAGE');
  });

  it('closes a peer that sends random bytes after the handshake (seeded, 12 rounds)', async () => {
    const random = new SeededRandom(0x11a);
    for (let round = 0; round < 12; round++) {
      const peer = client();
      await peer.handshake();
      for (let burst = 0; burst < 8 && !peer.closed; burst++) peer.writeRaw(random.bytes(random.int(1, 16_384)));
      // Whatever the parser made of it, the peer is dropped: by a guard at once, or by the command deadline.
      await peer.waitClosed();
    }
    await expectStillServes();
  });

  it('closes peers that set an invalid chunk size (0, 2^31, 2^32-1) or announce a message beyond the bound', async () => {
    for (const size of [0, 0x80000000, 0xffffffff]) {
      const from = lines.length;
      const peer = client();
      await peer.handshake();
      peer.sendMessage(2, 1, 0, 0, u32(size));
      peer.sendCommandPayload(amf.encodeAmf0Cmd({ cmd: 'connect', transId: 1, cmdObj: { app: 'live', tcUrl: 'rtmp://127.0.0.1/live' } }));
      await peer.waitClosed();
      await waitFor(() => dropsSince(from).length > 0, 'the drop to be logged');
      expect(dropsSince(from)[0]).toMatchObject({ code: 'INVALID_MESSAGE' });
    }
    // a type-0 chunk header announcing a 16 MiB command: refused before anything is buffered
    const from = lines.length;
    const peer = client();
    await peer.handshake();
    peer.writeRaw(Buffer.from([0x03, 0, 0, 0, 0xff, 0xff, 0xff, 20, 0, 0, 0, 0]));
    await peer.waitClosed();
    await waitFor(() => dropsSince(from).length > 0, 'the drop to be logged');
    expect(dropsSince(from)[0]).toMatchObject({ code: 'MESSAGE_TOO_LARGE' });
    await expectStillServes();
  });

  it('takes a large legal chunk size from a publisher and still relays its media', async () => {
    const publisher = client();
    const player = new HttpFlvPlayer(server.urls.audienceUrl('bigchunks'));
    try {
      await publisher.open(); // announces a 60,000-byte chunk size
      publisher.sendMessage(2, 1, 0, 0, u32(0x7fffffff));
      const { txSecret, txTime } = server.urls.signature('bigchunks');
      expect(await publisher.publish(`bigchunks?txSecret=${txSecret}&txTime=${txTime}`)).toMatchObject({ code: 'NetStream.Publish.Start' });
      expect(await player.response).toBe(200);
      publisher.sendVideoHeader();
      for (let i = 0; i < 30 && player.mediaTags < 5; i++) {
        publisher.sendVideo(i * 40, i === 0, Buffer.alloc(20_000, 0x33));
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await player.waitForMediaTags(5);
    } finally {
      await Promise.all([publisher.destroy(), player.close()]);
    }
  });

  it('closes a peer that sends media before it publishes', async () => {
    const from = lines.length;
    const peer = client();
    await peer.open();
    peer.sendVideo(0, true, Buffer.alloc(100));
    await peer.waitClosed();
    await waitFor(() => dropsSince(from).length > 0, 'the drop to be logged');
    expect(dropsSince(from)[0]).toMatchObject({ code: 'INVALID_MESSAGE' });
  });

  it('closes a half-open handshake held open at the handshake deadline, serving others meanwhile', async () => {
    const from = lines.length;
    const peer = client();
    await peer.connected();
    peer.writeRaw(Buffer.concat([Buffer.from([3]), Buffer.alloc(700)])); // C0 and half of C1, then nothing
    await expectStillServes();
    await peer.waitClosed();
    await waitFor(() => dropsSince(from).length > 0, 'the drop to be logged');
    expect(dropsSince(from)[0]).toMatchObject({ code: 'TIMEOUT', phase: 'handshake' });
  });

  it('holds RSS bounded across 20 rounds of 500 connections opened, half-handshaken with seeded bytes, and reset', async () => {
    const random = new SeededRandom(0x2055);
    const rss: number[] = [];
    for (let round = 0; round < 20; round++) {
      const payload = Buffer.concat([Buffer.from([3]), random.bytes(1536), random.bytes(random.int(0, 2000))]);
      await Promise.all(
        Array.from(
          { length: 500 },
          () =>
            new Promise<void>((resolve) => {
              const socket = net.connect({ host: '127.0.0.1', port: server.rtmpPort });
              socket.on('error', () => undefined);
              socket.on('close', () => resolve());
              socket.on('connect', () => socket.write(payload, () => socket.resetAndDestroy()));
            }),
        ),
      );
      rss.push(process.memoryUsage().rss);
    }
    const growth = Math.max(...rss.slice(5)) - rss[4]!;
    expect(growth, `RSS per round (MB): ${rss.map((b) => Math.round(b / 1e6)).join(' ')}`).toBeLessThan(96 * 1024 * 1024);
    await waitFor(() => server.stats().activePlays === 0, 'no connection left behind');
    await expectStillServes();
  });

  it('drops a slow-drip peer (one byte at a time) at the handshake deadline, and one that drips commands at the command deadline', async () => {
    const from = lines.length;
    const drip = client();
    await drip.connected();
    const c0c1 = Buffer.concat([Buffer.from([3]), Buffer.alloc(1536)]);
    let sent = 0;
    const timer = setInterval(() => drip.writeRaw(c0c1.subarray(sent, ++sent)), 150);
    try {
      await drip.waitClosed();
    } finally {
      clearInterval(timer);
    }
    expect(sent).toBeLessThan(c0c1.length);

    const slowCommands = client();
    await slowCommands.handshake();
    const connect = amf.encodeAmf0Cmd({ cmd: 'connect', transId: 1, cmdObj: { app: 'live', tcUrl: 'rtmp://127.0.0.1/live' } });
    const message = Buffer.concat([Buffer.from([0x03, 0, 0, 0]), Buffer.from([0, 0, connect.length, 20, 0, 0, 0, 0]), connect]);
    message.writeUIntBE(connect.length, 4, 3);
    let at = 0;
    const dripper = setInterval(() => slowCommands.writeRaw(message.subarray(at, ++at)), 150);
    try {
      await slowCommands.waitClosed();
    } finally {
      clearInterval(dripper);
    }
    await waitFor(() => dropsSince(from).length >= 2, 'both drops to be logged');
    expect(dropsSince(from).map((line) => [line.code, line.phase])).toEqual([
      ['TIMEOUT', 'handshake'],
      ['TIMEOUT', 'command'],
    ]);
    await expectStillServes();
  });
});
