// The RTMP publish client: its chunk layer on its own, then against the real origin (node-media-server
// behind our admission) and against small fake servers for what the origin never does.
import net from 'node:net';
import tls from 'node:tls';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { decodeAmf0Values } from '../../common/media/amf0';
// eslint-disable-next-line no-restricted-imports -- the publisher is tested against the real origin
import type { LinkMicServer } from '../../server/link-mic-server';
// eslint-disable-next-line no-restricted-imports -- the origin's test helpers start it and play from it
import { FlvParser, HttpFlvPlayer, type FlvTag } from '../../server/test/helpers/flv-reader';
// eslint-disable-next-line no-restricted-imports -- the origin's test helpers start it and play from it
import { FFMPEG, startTestServer, waitFor } from '../../server/test/helpers/media';
// eslint-disable-next-line no-restricted-imports -- a shared test helper
import { SeededRandom } from '../../server/test/helpers/seeded-random';
import { encodeAmf0, type Amf0Value } from '../rtmp/amf0-encoder';
import { RtmpChunkError, RtmpChunkReader, type RtmpReceivedMessage } from '../rtmp/rtmp-chunk-reader';
import { RtmpChunkWriter, wrapTimestamp, type RtmpMessage } from '../rtmp/rtmp-chunk-writer';
import { RtmpPublishError, RtmpPublisher, type RtmpPublisherEvents } from '../rtmp/rtmp-publisher';

const EXTENDED = 0xffffff;

/** Splits one message's bytes, as the writer made them, into its chunks (to interleave them). */
function splitChunks(bytes: Buffer, message: RtmpMessage, chunkSize: number): Buffer[] {
  const basic = message.chunkStreamId < 64 ? 1 : message.chunkStreamId < 320 ? 2 : 3;
  const ext = wrapTimestamp(message.timestamp) >= EXTENDED ? 4 : 0;
  const chunks: Buffer[] = [];
  let offset = 0;
  let left = message.payload.byteLength;
  let first = true;
  do {
    const take = Math.min(chunkSize, left);
    const length = (first ? basic + 11 : basic) + ext + take;
    chunks.push(bytes.subarray(offset, offset + length));
    offset += length;
    left -= take;
    first = false;
  } while (left > 0);
  expect(offset).toBe(bytes.length);
  return chunks;
}

/** Feeds `bytes` to `reader` in random slices, as TCP would deliver them. */
function feed(reader: RtmpChunkReader, bytes: Buffer, random: SeededRandom): RtmpReceivedMessage[] {
  const out: RtmpReceivedMessage[] = [];
  for (let offset = 0; offset < bytes.length; ) {
    const end = Math.min(bytes.length, offset + random.int(1, 3000));
    out.push(...reader.push(bytes.subarray(offset, end)));
    offset = end;
  }
  return out;
}

describe('RTMP chunk writer and reader', () => {
  it('round-trip messages of 0..20000 bytes interleaved chunk by chunk over several chunk streams, at chunk sizes 128 and 4096, with extended and wrapping timestamps', () => {
    for (const chunkSize of [128, 4096]) {
      const random = new SeededRandom(chunkSize);
      const writer = new RtmpChunkWriter();
      const reader = new RtmpChunkReader();
      const setSize = Buffer.alloc(4);
      setSize.writeUInt32BE(chunkSize);
      const preamble = writer.write({ chunkStreamId: 2, typeId: 1, streamId: 0, timestamp: 0, payload: setSize });
      writer.setChunkSize(chunkSize);

      const streamIds = [3, 4, 6, 63, 64, 319, 320, 65599];
      const timestamps = () => random.pick([random.int(0, 100_000), EXTENDED - 1, EXTENDED, EXTENDED + random.int(1, 1e6), 0xffffffff, 2 ** 32 + 5, -1]);
      const sent = new Map<number, RtmpMessage[]>();
      const bytes: Buffer[] = [preamble];
      for (let round = 0; round < 8; round++) {
        // One message per chunk stream at a time, their chunks interleaved round-robin.
        const queues: Buffer[][] = [];
        for (const chunkStreamId of streamIds) {
          const message: RtmpMessage = {
            chunkStreamId,
            typeId: random.pick([8, 9, 18, 20]),
            streamId: random.int(0, 5),
            timestamp: timestamps(),
            payload: random.bytes(random.pick([0, 1, chunkSize - 1, chunkSize, chunkSize + 1, random.int(0, 20_000)])),
          };
          sent.set(chunkStreamId, [...(sent.get(chunkStreamId) ?? []), message]);
          queues.push(splitChunks(writer.write(message), message, chunkSize));
        }
        while (queues.some((queue) => queue.length > 0)) {
          for (const queue of queues) {
            const chunk = queue.shift();
            if (chunk) bytes.push(chunk);
          }
        }
      }
      const received = feed(reader, Buffer.concat(bytes), random);
      expect(reader.chunkSize).toBe(chunkSize);
      expect(received[0]).toMatchObject({ typeId: 1, chunkStreamId: 2 });
      for (const chunkStreamId of streamIds) {
        const got = received.filter((message) => message.chunkStreamId === chunkStreamId);
        const want = sent.get(chunkStreamId)!.map((message) => ({ ...message, timestamp: wrapTimestamp(message.timestamp), payload: Buffer.from(message.payload) }));
        expect(got, `chunk size ${chunkSize}, chunk stream ${chunkStreamId}`).toEqual(want);
      }
    }
  });

  it('reads the delta headers (types 1, 2, 3) a server may send, including an extended delta', () => {
    const reader = new RtmpChunkReader();
    const header = (bytes: number[]): Buffer => Buffer.from(bytes);
    const messages = reader.push(
      Buffer.concat([
        // type 0: ts 1000, length 2, type 8, stream 1
        header([0x04, 0x00, 0x03, 0xe8, 0x00, 0x00, 0x02, 0x08, 0x01, 0x00, 0x00, 0x00]),
        Buffer.from([0xa1, 0xa2]),
        // type 1: delta 20, length 1, type 9
        header([0x44, 0x00, 0x00, 0x14, 0x00, 0x00, 0x01, 0x09]),
        Buffer.from([0xb1]),
        // type 2: delta 30 (length and type as before)
        header([0x84, 0x00, 0x00, 0x1e]),
        Buffer.from([0xc1]),
        // type 3 starting a new message: the same delta again
        header([0xc4]),
        Buffer.from([0xd1]),
        // type 2 with an extended delta of 0x01000000
        header([0x84, 0xff, 0xff, 0xff, 0x01, 0x00, 0x00, 0x00]),
        Buffer.from([0xe1]),
      ]),
    );
    expect(messages.map((m) => [m.typeId, m.streamId, m.timestamp, [...m.payload]])).toEqual([
      [8, 1, 1000, [0xa1, 0xa2]],
      [9, 1, 1020, [0xb1]],
      [9, 1, 1050, [0xc1]],
      [9, 1, 1080, [0xd1]],
      [9, 1, 1080 + 0x01000000, [0xe1]],
    ]);
  });

  it('refuses a chunk size of 0 or over 16 MiB, a message over its bound, and delta headers on an unknown chunk stream, with RtmpChunkError', () => {
    const writer = new RtmpChunkWriter();
    const setSize = (size: number): Buffer => {
      const payload = Buffer.alloc(4);
      payload.writeUInt32BE(size);
      return writer.write({ chunkStreamId: 2, typeId: 1, streamId: 0, timestamp: 0, payload });
    };
    expect(() => new RtmpChunkReader().push(setSize(0))).toThrow(RtmpChunkError);
    expect(() => new RtmpChunkReader().push(setSize(16 * 1024 * 1024 + 1))).toThrow(RtmpChunkError);
    expect(new RtmpChunkReader().push(setSize(16 * 1024 * 1024))).toHaveLength(1);
    const big = writer.write({ chunkStreamId: 4, typeId: 9, streamId: 1, timestamp: 0, payload: Buffer.alloc(2000) });
    expect(() => new RtmpChunkReader({ maxMessageBytes: 1000 }).push(big)).toThrow(/2000 bytes is over the 1000-byte bound/);
    expect(() => new RtmpChunkReader().push(Buffer.from([0xc5, 0x00]))).toThrow(RtmpChunkError);
  });

  it('throws nothing but RtmpChunkError on random and corrupted input', () => {
    const outcomes = { parsed: 0, refused: 0 };
    const writer = new RtmpChunkWriter();
    const valid = Buffer.concat(
      Array.from({ length: 6 }, (_, i) => writer.write({ chunkStreamId: 3 + i, typeId: 20, streamId: 0, timestamp: i * EXTENDED, payload: Buffer.alloc(300, i) })),
    );
    for (let seed = 1; seed <= 300; seed++) {
      const random = new SeededRandom(seed);
      let input: Buffer;
      if (seed % 2 === 0) {
        input = random.bytes(random.int(1, 4000));
      } else {
        input = Buffer.from(valid);
        for (let flips = random.int(1, 8); flips > 0; flips--) input[random.int(0, input.length - 1)] = random.int(0, 255);
      }
      const reader = new RtmpChunkReader({ maxMessageBytes: 1 << 20 });
      try {
        feed(reader, input, random);
        outcomes.parsed += 1;
      } catch (error) {
        if (!(error instanceof RtmpChunkError)) throw new Error(`seed ${seed}: ${String(error)}`, { cause: error });
        outcomes.refused += 1;
      }
    }
    // Both paths ran: the fuzz reached past the first header, and it did find refusals.
    expect(outcomes.parsed).toBeGreaterThan(0);
    expect(outcomes.refused).toBeGreaterThan(0);
  });
});

// ---------------------------------------------------------------------------------------------
// A fake RTMP server built from the chunk layer, for behaviours the origin never shows.

interface FakeConnection {
  readonly socket: net.Socket;
  readonly received: RtmpReceivedMessage[];
  readonly commands: unknown[][];
  send(message: RtmpMessage): void;
  command(streamId: number, name: string, transactionId: number, ...args: Amf0Value[]): void;
}

type CommandBehaviour = (connection: FakeConnection, name: string, values: unknown[]) => void;

/** Answers connect, createStream and publish as a server that accepts everything. */
const acceptEverything: CommandBehaviour = (connection, name, values) => {
  const transactionId = values[1] as number;
  if (name === 'connect') connection.command(0, '_result', transactionId, { fmsVer: 'FMS/3,0,1,123' }, { level: 'status', code: 'NetConnection.Connect.Success' });
  else if (name === 'createStream') connection.command(0, '_result', transactionId, null, 1);
  else if (name === 'publish') connection.command(1, 'onStatus', 0, null, { level: 'status', code: 'NetStream.Publish.Start', description: 'publishing' });
};

class FakeRtmpServer {
  readonly connections: FakeConnection[] = [];
  private readonly server: net.Server;
  private readonly sockets = new Set<net.Socket>();

  constructor(private readonly behaviour: CommandBehaviour = acceptEverything) {
    this.server = net.createServer((socket) => this.accept(socket));
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `rtmp://127.0.0.1:${(this.server.address() as net.AddressInfo).port}/live/guest_1?txSecret=abc&txTime=5F`;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private accept(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => undefined);
    const writer = new RtmpChunkWriter();
    const reader = new RtmpChunkReader();
    const connection: FakeConnection = {
      socket,
      received: [],
      commands: [],
      send: (message) => {
        if (!socket.destroyed) socket.write(writer.write(message));
      },
      command: (streamId, name, transactionId, ...args) =>
        connection.send({ chunkStreamId: 3, typeId: 20, streamId, timestamp: 0, payload: encodeAmf0(name, transactionId, ...args) }),
    };
    this.connections.push(connection);
    let handshake: Buffer | undefined = Buffer.alloc(0);
    socket.on('data', (data: Buffer) => {
      let rest = data;
      if (handshake !== undefined) {
        const before = handshake.length;
        handshake = Buffer.concat([handshake, data]);
        if (before < 1537 && handshake.length >= 1537) {
          const s1 = Buffer.alloc(1536, 7);
          socket.write(Buffer.concat([Buffer.of(3), s1, handshake.subarray(1, 1537)]));
        }
        if (handshake.length < 1537 + 1536) return;
        rest = handshake.subarray(1537 + 1536);
        handshake = undefined;
      }
      for (const message of reader.push(rest)) {
        connection.received.push(message);
        if (message.typeId !== 20) continue;
        const values = decodeAmf0Values(message.payload);
        connection.commands.push(values);
        this.behaviour(connection, values[0] as string, values);
      }
    });
  }
}

function userControl(event: number, value: number): Buffer {
  const payload = Buffer.alloc(6);
  payload.writeUInt16BE(event, 0);
  payload.writeUInt32BE(value, 2);
  return payload;
}

function uint32(value: number): Buffer {
  const payload = Buffer.alloc(4);
  payload.writeUInt32BE(value);
  return payload;
}

function recordCloses(publisher: RtmpPublisher): Array<RtmpPublisherEvents['close']> {
  const closes: Array<RtmpPublisherEvents['close']> = [];
  publisher.on('close', (event) => closes.push(event));
  return closes;
}

async function publishError(publisher: RtmpPublisher): Promise<RtmpPublishError> {
  const error = await publisher.publish().then(
    () => undefined,
    (rejection: unknown) => rejection,
  );
  expect(error).toBeInstanceOf(RtmpPublishError);
  return error as RtmpPublishError;
}

describe('RtmpPublisher', () => {
  const closers: Array<() => Promise<void>> = [];
  let server: LinkMicServer | undefined;
  let fixture: FlvTag[] = [];

  beforeAll(async () => {
    // One second of real H.264 + AAC, as the push engine's encoders write it.
    const flv = await new Promise<Buffer>((resolve, reject) =>
      execFile(
        FFMPEG,
        ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=160x120:rate=15', '-f', 'lavfi', '-i', 'sine', '-t', '1', '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '15', '-c:a', 'aac', '-ar', '48000', '-f', 'flv', 'pipe:1'],
        { encoding: 'buffer', maxBuffer: 16 * 1024 * 1024 },
        (error, stdout) => (error ? reject(error) : resolve(stdout)),
      ),
    );
    const tags: FlvTag[] = [];
    new FlvParser((tag) => tags.push({ ...tag, data: Buffer.from(tag.data) })).push(flv);
    fixture = tags.filter((tag) => tag.type === 8 || tag.type === 9);
  });

  afterEach(async () => {
    await Promise.all(closers.splice(0).map((close) => close()));
    await server?.close();
    server = undefined;
  });

  function track<T extends { close(): Promise<void> }>(resource: T): T {
    closers.push(() => resource.close());
    return resource;
  }

  async function fakeServer(behaviour?: CommandBehaviour): Promise<{ fake: FakeRtmpServer; url: string }> {
    const fake = new FakeRtmpServer(behaviour);
    const url = await fake.start();
    closers.push(() => fake.close());
    return { fake, url };
  }

  function sendTag(publisher: RtmpPublisher, tag: FlvTag, timestamp = tag.timestamp): void {
    if (tag.type === 8) publisher.sendAudio(timestamp, tag.data);
    else publisher.sendVideo(timestamp, tag.data);
  }

  it('publishes metadata, AAC and AVC sequence headers and frames to the origin, and a player receives the same payloads and timestamps, extended ones included', async () => {
    server = await startTestServer();
    const received: FlvTag[] = [];
    const player = track(new HttpFlvPlayer(server.urls.audienceUrl('rtmpclient'), { onTag: (tag) => received.push({ ...tag, data: Buffer.from(tag.data) }) }));
    expect(await player.response).toBe(200);

    const publisher = track(new RtmpPublisher({ url: server.urls.pushUrl('rtmpclient') }));
    const closes = recordCloses(publisher);
    await publisher.publish();
    expect(publisher.published).toBe(true);
    expect(fixture.filter((tag) => tag.type === 9 && tag.data[1] === 0)).toHaveLength(1); // one AVC sequence header
    expect(fixture.filter((tag) => tag.type === 8 && tag.data[1] === 0)).toHaveLength(1); // one AAC sequence header

    publisher.sendMetadata({ width: 160, height: 120, framerate: 15, videocodecid: 7, audiocodecid: 10, encoder: 'LinkMicStudio' });
    for (const tag of fixture) sendTag(publisher, tag);
    // Past 0xFFFFFF ms (4.66 h): the last keyframe and a few audio frames again.
    const keyframe = fixture.filter((tag) => tag.type === 9 && tag.data[0] === 0x17 && tag.data[1] === 1).at(-1)!;
    const audio = fixture.filter((tag) => tag.type === 8 && tag.data[1] === 1).slice(0, 3);
    const late = [
      { ...keyframe, timestamp: EXTENDED + 40 },
      ...audio.map((tag, i) => ({ ...tag, timestamp: EXTENDED + 40 + i * 21 })),
      { ...keyframe, timestamp: 0x1_2345_678 },
    ];
    for (const tag of late) sendTag(publisher, tag);
    const sent = [...fixture, ...late];

    await player.waitForMediaTags(sent.length);
    const media = received.filter((tag) => tag.type === 8 || tag.type === 9);
    expect(media.map((tag) => [tag.type, tag.timestamp])).toEqual(sent.map((tag) => [tag.type, tag.timestamp]));
    media.forEach((tag, i) => expect(tag.data.equals(sent[i]!.data), `tag ${i}`).toBe(true));

    const script = received.find((tag) => tag.type === 18);
    const metadata = script ? decodeAmf0Values(script.data) : [];
    expect(metadata).toContain('onMetaData');
    expect(metadata.at(-1)).toMatchObject({ width: 160, height: 120, encoder: 'LinkMicStudio' });
    expect(server.getStream('rtmpclient')).toBeDefined();
    expect(publisher.bytesSent).toBeGreaterThan(sent.reduce((sum, tag) => sum + tag.data.length, 0));

    await publisher.close();
    expect(closes).toEqual([{}]);
    await waitFor(() => server!.getStream('rtmpclient') === undefined, 'the origin to end the stream');
  });

  it('publishes over rtmps:// (TLS in front of the origin) when the certificate is trusted, and refuses an untrusted one with CONNECT_FAILED', async () => {
    server = await startTestServer();
    const dir = await mkdtemp(join(tmpdir(), 'rtmps-'));
    closers.push(() => rm(dir, { recursive: true, force: true }));
    // A self-signed certificate for localhost, as a self-hosted origin behind its own CA would have.
    await new Promise<void>((resolve, reject) =>
      execFile('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost'], (error) => (error ? reject(error) : resolve())),
    );
    const [key, cert] = await Promise.all([readFile(join(dir, 'key.pem'), 'utf8'), readFile(join(dir, 'cert.pem'), 'utf8')]);
    const plainUrl = new URL(server.urls.pushUrl('rtmpsclient'));
    const front = tls.createServer({ key, cert }, (clear) => {
      const origin = net.connect(Number(plainUrl.port), plainUrl.hostname);
      clear.on('error', () => origin.destroy());
      origin.on('error', () => clear.destroy());
      clear.pipe(origin).pipe(clear);
    });
    await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
    closers.push(() => new Promise<void>((resolve) => front.close(() => resolve())));
    const url = `rtmps://localhost:${(front.address() as net.AddressInfo).port}${plainUrl.pathname}${plainUrl.search}`;

    const untrusted = track(new RtmpPublisher({ url }));
    await expect(untrusted.publish()).rejects.toMatchObject({ code: 'CONNECT_FAILED', message: expect.stringMatching(/self.signed/i) });

    const received: FlvTag[] = [];
    const player = track(new HttpFlvPlayer(server.urls.audienceUrl('rtmpsclient'), { onTag: (tag) => received.push(tag) }));
    expect(await player.response).toBe(200);
    const publisher = track(new RtmpPublisher({ url, tlsCa: cert }));
    await publisher.publish();
    for (const tag of fixture) sendTag(publisher, tag);
    await player.waitForMediaTags(fixture.length);
    expect(received.filter((tag) => tag.type === 8 || tag.type === 9).map((tag) => [tag.type, tag.timestamp])).toEqual(fixture.map((tag) => [tag.type, tag.timestamp]));
    expect(server.getStream('rtmpsclient')).toBeDefined();
  });

  it('rejects a publish the origin refuses with REFUSED and NetStream.Publish.BadName, and leaves the live stream alone', async () => {
    server = await startTestServer();
    let liveTags = 0;
    const player = track(new HttpFlvPlayer(server.urls.audienceUrl('alive'), { onTag: (tag) => (liveTags += tag.type === 9 ? 1 : 0) }));
    expect(await player.response).toBe(200);
    const honest = track(new RtmpPublisher({ url: server.urls.pushUrl('alive') }));
    const honestCloses = recordCloses(honest);
    await honest.publish();
    for (const tag of fixture) sendTag(honest, tag);
    await waitFor(() => liveTags === fixture.filter((tag) => tag.type === 9).length, 'the live stream to reach its player');

    const rtmpHost = server.endpoint.rtmpHost;
    const { txTime } = server.urls.signature('alive');
    const hijack = track(new RtmpPublisher({ url: `rtmp://${rtmpHost}/live/alive?txSecret=${'0'.repeat(32)}&txTime=${txTime}` }));
    const hijackCloses = recordCloses(hijack);
    const forged = await publishError(hijack);
    expect(forged).toMatchObject({ code: 'REFUSED', serverCode: 'NetStream.Publish.BadName' });
    expect(forged.message).toContain('SIGNATURE_INVALID');
    const unsigned = await publishError(track(new RtmpPublisher({ url: `rtmp://${rtmpHost}/live/other` })));
    expect(unsigned).toMatchObject({ code: 'REFUSED', serverCode: 'NetStream.Publish.BadName' });
    expect(unsigned.message).toContain('SIGNATURE_MISSING');
    await waitFor(() => hijackCloses.length === 1, 'the refused publisher to close');
    expect(hijackCloses[0]?.error).toBe(forged);

    // The honest stream goes on: still published, still reaching its player, the only stream.
    const before = liveTags;
    for (const tag of fixture) sendTag(honest, tag, tag.timestamp + 1000);
    await waitFor(() => liveTags === before + fixture.filter((tag) => tag.type === 9).length, 'the live stream to keep flowing');
    expect(honest.published).toBe(true);
    expect(honestCloses).toEqual([]);
    expect(server.listStreams().map((stream) => stream.streamCode)).toEqual(['alive']);
  });

  it('fails with CONNECT_FAILED and the OS error on a closed port', async () => {
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));

    const publisher = track(new RtmpPublisher({ url: `rtmp://127.0.0.1:${port}/live/x` }));
    const closes = recordCloses(publisher);
    const error = await publishError(publisher);
    expect(error.code).toBe('CONNECT_FAILED');
    expect(error.message).toBe(`connect ECONNREFUSED 127.0.0.1:${port}`);
    await waitFor(() => closes.length === 1, 'close');
    expect(closes[0]?.error).toBe(error);
  });

  it('fails with TIMEOUT against a server that accepts and never answers', async () => {
    const sockets: net.Socket[] = [];
    const silent = net.createServer((socket) => sockets.push(socket.on('error', () => undefined)));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    closers.push(async () => {
      sockets.forEach((socket) => socket.destroy());
      await new Promise((resolve) => silent.close(resolve));
    });
    const port = (silent.address() as net.AddressInfo).port;
    const publisher = track(new RtmpPublisher({ url: `rtmp://127.0.0.1:${port}/live/x`, connectTimeoutMs: 300 }));
    const closes = recordCloses(publisher);
    const error = await publishError(publisher);
    expect(error.code).toBe('TIMEOUT');
    expect(error.message).toContain('handshake');
    await waitFor(() => closes.length === 1, 'close');
    expect(closes[0]?.error?.code).toBe('TIMEOUT');
  });

  it('sends connect, releaseStream, FCPublish, createStream and publish with the query in the stream name only', async () => {
    const { fake, url } = await fakeServer();
    const publisher = track(new RtmpPublisher({ url }));
    await publisher.publish();
    const [connection] = fake.connections;
    expect(connection!.received[0]).toMatchObject({ typeId: 1, payload: uint32(4096) });
    expect(connection!.commands.map((values) => values[0])).toEqual(['connect', 'releaseStream', 'FCPublish', 'createStream', 'publish']);
    const [connect, , fcPublish, , publish] = connection!.commands;
    expect(connect![2]).toEqual({ app: 'live', type: 'nonprivate', flashVer: 'FMLE/3.0 (compatible; LinkMicStudio)', tcUrl: `${url.slice(0, url.indexOf('/live/'))}/live` });
    expect(fcPublish![3]).toBe('guest_1?txSecret=abc&txTime=5F');
    expect(publish!.slice(3)).toEqual(['guest_1?txSecret=abc&txTime=5F', 'live']);
    expect(connection!.received.at(-1)).toMatchObject({ streamId: 1 });
  });

  it('rejects with REFUSED "closed before accepting" when the server hangs up after the publish command', async () => {
    const { url } = await fakeServer((connection, name, values) => {
      if (name === 'publish') connection.socket.end();
      else acceptEverything(connection, name, values);
    });
    const publisher = track(new RtmpPublisher({ url }));
    const closes = recordCloses(publisher);
    const error = await publishError(publisher);
    expect(error.code).toBe('REFUSED');
    expect(error.message).toBe('the server closed the connection before accepting the publish');
    expect(closes).toEqual([{ error }]);
  });

  it('rejects with REFUSED and the server code when connect gets _error', async () => {
    const { url } = await fakeServer((connection, name, values) => {
      if (name === 'connect') connection.command(0, '_error', values[1] as number, null, { level: 'error', code: 'NetConnection.Connect.Rejected', description: 'no such app' });
    });
    const error = await publishError(track(new RtmpPublisher({ url })));
    expect(error).toMatchObject({ code: 'REFUSED', serverCode: 'NetConnection.Connect.Rejected' });
    expect(error.message).toContain('no such app');
  });

  it('closes with PROTOCOL when the server sends a chunk size of 0 or an undecodable command', async () => {
    const { url: zeroChunk } = await fakeServer((connection, name, values) => {
      if (name === 'connect') connection.send({ chunkStreamId: 2, typeId: 1, streamId: 0, timestamp: 0, payload: uint32(0) });
      else acceptEverything(connection, name, values);
    });
    const first = await publishError(track(new RtmpPublisher({ url: zeroChunk })));
    expect(first.code).toBe('PROTOCOL');
    expect(first.message).toContain('chunk size 0');

    const { url: garbage } = await fakeServer((connection, name) => {
      if (name === 'connect') connection.send({ chunkStreamId: 3, typeId: 20, streamId: 0, timestamp: 0, payload: Buffer.from([0x02, 0x00, 0x07, 0x5f, 0x72, 0x65, 0x0d]) });
    });
    expect((await publishError(track(new RtmpPublisher({ url: garbage })))).code).toBe('PROTOCOL');
  });

  it('closes with REFUSED when the server reports an error status after the publish started', async () => {
    const { fake, url } = await fakeServer();
    const publisher = track(new RtmpPublisher({ url }));
    const closes = recordCloses(publisher);
    await publisher.publish();
    fake.connections[0]!.command(1, 'onStatus', 0, null, { level: 'error', code: 'NetStream.Publish.Unauthorized', description: 'kicked' });
    await waitFor(() => closes.length === 1, 'close');
    expect(closes[0]?.error).toMatchObject({ code: 'REFUSED', serverCode: 'NetStream.Publish.Unauthorized' });
    expect(publisher.published).toBe(false);
  });

  it('close() is idempotent: it unpublishes, emits close once without an error, and later sends are ignored', async () => {
    const { fake, url } = await fakeServer();
    const publisher = track(new RtmpPublisher({ url }));
    const closes = recordCloses(publisher);
    await publisher.publish();
    publisher.sendAudio(0, Buffer.from([0xaf, 0x00, 0x11, 0x90]));
    await Promise.all([publisher.close(), publisher.close()]);
    await publisher.close();
    expect(closes).toEqual([{}]);
    expect(publisher.published).toBe(false);
    expect(() => publisher.sendVideo(0, Buffer.from([0x17, 0x01]))).not.toThrow();
    const connection = fake.connections[0]!;
    await waitFor(() => connection.commands.length >= 7, 'the unpublish commands');
    expect(connection.commands.slice(5).map((values) => values[0])).toEqual(['FCUnpublish', 'deleteStream']);
    expect(connection.received.filter((message) => message.typeId === 8)).toHaveLength(1);
  });

  it('close() before the publish is accepted rejects publish() with CLOSED and emits close without an error', async () => {
    const { url } = await fakeServer(() => undefined);
    const publisher = track(new RtmpPublisher({ url }));
    const closes = recordCloses(publisher);
    const publishing = publisher.publish().catch((error: unknown) => error);
    await publisher.close();
    expect(await publishing).toMatchObject({ code: 'CLOSED' });
    expect(closes).toEqual([{}]);
  });

  it('emits close with CLOSED when the server vanishes after the publish', async () => {
    const { fake, url } = await fakeServer();
    const publisher = track(new RtmpPublisher({ url }));
    const closes = recordCloses(publisher);
    await publisher.publish();
    fake.connections[0]!.socket.destroy();
    await waitFor(() => closes.length === 1, 'close');
    expect(closes[0]?.error?.code).toBe('CLOSED');
    expect(publisher.published).toBe(false);
  });

  it('answers a ping request with a ping response and acknowledges each window of received bytes', async () => {
    const { fake, url } = await fakeServer();
    const publisher = track(new RtmpPublisher({ url }));
    await publisher.publish();
    const connection = fake.connections[0]!;
    connection.send({ chunkStreamId: 2, typeId: 4, streamId: 0, timestamp: 0, payload: userControl(6, 0x12345678) });
    connection.send({ chunkStreamId: 2, typeId: 6, streamId: 0, timestamp: 0, payload: Buffer.from([0, 0, 0x13, 0x88, 2]) });
    connection.send({ chunkStreamId: 2, typeId: 5, streamId: 0, timestamp: 0, payload: uint32(5000) });
    // Bytes of a message type the publisher ignores, a window at a time (a read passing two windows gets one acknowledgement).
    const acks = (): number[] => connection.received.filter((message) => message.typeId === 3).map((message) => message.payload.readUInt32BE(0));
    for (const count of [1, 2]) {
      for (let i = 0; i < 2; i++) connection.send({ chunkStreamId: 7, typeId: 0x30, streamId: 0, timestamp: 0, payload: Buffer.alloc(3000) });
      await waitFor(() => acks().length === count, `acknowledgement ${count}`);
    }
    const pong = connection.received.find((message) => message.typeId === 4);
    expect(pong?.payload).toEqual(userControl(7, 0x12345678));
    expect(connection.received.find((message) => message.typeId === 5)?.payload).toEqual(uint32(5000));
    const [first, second] = acks();
    expect(first).toBeGreaterThanOrEqual(5000);
    expect(second! - first!).toBeGreaterThanOrEqual(5000);
    expect(publisher.published).toBe(true);
  });
});
