// Bench only: a publisher that encodes each track in its own ffmpeg (the push engine's encoder
// options) and sends the FLV tags to the origin over RTMP from Node, each as soon as its encoder
// emits it. It measures what the push engine would gain from not sharing one ffmpeg loop and one
// dts-interleaving muxer between x264 and the AAC encoder (docs/player.md, "The publisher measured
// split"). The RTMP side is node-media-server's own client (an internal module of the origin's
// dependency), not a product path: a product version needs our own writer with the engine's error
// reporting and reconnects.
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import type { Readable, Writable } from 'node:stream';

interface NmsAvPacket {
  codec_id: number;
  codec_type: number;
  duration: number;
  flags: number;
  pts: number;
  dts: number;
  size: number;
  offset: number;
  data: Buffer;
}

interface NmsRtmpClient {
  connect(url: string): Promise<void>;
  sendConnect(): Promise<unknown>;
  sendCreateStream(): Promise<number>;
  sendPublish(streamName: string, type?: string): Promise<unknown>;
  sendPacket(packet: NmsAvPacket): void;
  sendMetaData(metaData: Record<string, unknown>): void;
  disconnect(): void;
  onCloseCallback: (hadError: boolean) => void;
  onErrorCallback: (error: Error) => void;
}

const require = createRequire(import.meta.url);
const RtmpClient = require('node-media-server/src/protocol/rtmp_client.js') as new () => NmsRtmpClient;

/** Splits an FLV byte stream into tags (type, 32-bit timestamp, body). */
class FlvTagReader {
  private buffer: Buffer = Buffer.alloc(0);
  private headerDone = false;

  push(chunk: Buffer): { type: number; timestamp: number; body: Buffer }[] {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const tags: { type: number; timestamp: number; body: Buffer }[] = [];
    let offset = 0;
    if (!this.headerDone) {
      if (this.buffer.length < 13) return tags;
      offset = this.buffer.readUInt32BE(5) + 4;
      this.headerDone = true;
    }
    while (this.buffer.length - offset >= 11) {
      const type = this.buffer[offset]! & 0x1f;
      const size = this.buffer.readUIntBE(offset + 1, 3);
      if (this.buffer.length - offset < 11 + size + 4) break;
      const timestamp = (this.buffer.readUIntBE(offset + 4, 3) | (this.buffer[offset + 7]! << 24)) >>> 0;
      tags.push({ type, timestamp, body: Buffer.from(this.buffer.subarray(offset + 11, offset + 11 + size)) });
      offset += 11 + size + 4;
    }
    this.buffer = this.buffer.subarray(offset);
    return tags;
  }
}

export class SplitPublisher {
  private readonly children: ChildProcess[] = [];
  private client: NmsRtmpClient | null = null;
  private ready = false;
  /** Tags the encoders emitted before the publish was accepted. */
  private early: { type: number; timestamp: number; body: Buffer }[] = [];
  private closed = false;
  stderr = '';

  /**
   * @param videoInput ffmpeg input options of the raw pictures (read from the video process's stdin)
   * @param audioInput ffmpeg input options of the PCM (read from the audio process's stdin)
   */
  constructor(
    private readonly rtmpUrl: string,
    private readonly metaData: Record<string, unknown>,
    private readonly videoInput: string[],
    private readonly videoOutput: string[],
    private readonly audioInput: string[],
    private readonly audioOutput: string[],
  ) {}

  /** Starts both encoders and the RTMP publish; returns where to write pictures and PCM. */
  start(): { video: Writable; audio: Writable; exited: Promise<void> } {
    const video = this.spawnEncoder([...this.videoInput, '-i', 'pipe:0', '-map', '0:v', ...this.videoOutput]);
    const audio = this.spawnEncoder([...this.audioInput, '-i', 'pipe:0', '-map', '0:a', ...this.audioOutput]);
    void this.publish();
    const exited = Promise.race(this.children.map((c) => new Promise<void>((ok) => c.once('exit', () => ok()))));
    return { video: video.stdin!, audio: audio.stdin!, exited };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const exits = this.children.map((c) => (c.exitCode !== null || c.signalCode !== null ? Promise.resolve() : new Promise<void>((ok) => c.once('exit', () => ok()))));
    for (const child of this.children) child.kill('SIGKILL');
    await Promise.all(exits);
    this.client?.disconnect();
    this.client = null;
  }

  private spawnEncoder(args: string[]): ChildProcess {
    const child = spawn('ffmpeg', ['-hide_banner', '-loglevel', 'error', ...args, '-f', 'flv', '-flvflags', 'no_duration_filesize', 'pipe:1'], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.children.push(child);
    child.stdin?.on('error', () => undefined);
    child.stderr?.on('data', (d: Buffer) => (this.stderr = (this.stderr + d.toString()).slice(-4000)));
    const reader = new FlvTagReader();
    (child.stdout as Readable).on('data', (chunk: Buffer) => {
      // Media tags only: each process writes its own onMetaData (the audio one says "no video"); one
      // for both tracks is sent after the publish (the origin reads the picture size from it).
      for (const tag of reader.push(chunk)) if (tag.type === 8 || tag.type === 9) this.send(tag);
    });
    return child;
  }

  private async publish(): Promise<void> {
    const url = new URL(this.rtmpUrl);
    const parts = url.pathname.split('/').filter(Boolean);
    const streamName = `${parts.slice(1).join('/')}${url.search}`;
    const client = new RtmpClient();
    this.client = client;
    client.onErrorCallback = (error) => (this.stderr += `\nrtmp: ${error.message}`);
    try {
      await client.connect(`${url.protocol}//${url.host}/${parts.join('/')}`);
      await client.sendConnect();
      await client.sendCreateStream();
      await client.sendPublish(streamName);
    } catch (error) {
      this.stderr += `\nrtmp publish: ${String(error)}`;
      return;
    }
    client.sendMetaData(this.metaData);
    this.ready = true;
    for (const tag of this.early) this.send(tag);
    this.early = [];
  }

  private send(tag: { type: number; timestamp: number; body: Buffer }): void {
    if (this.closed) return;
    if (!this.ready || !this.client) {
      // Keep the sequence headers (and what follows them) until the publish is accepted.
      this.early.push(tag);
      if (this.early.length > 2000) this.early.splice(0, 1000);
      return;
    }
    try {
      this.client.sendPacket({ codec_id: 0, codec_type: tag.type, duration: 0, flags: 0, pts: tag.timestamp, dts: tag.timestamp, size: tag.body.length, offset: 0, data: tag.body });
    } catch (error) {
      // The origin closed the connection: this bench publisher does not reconnect.
      this.stderr += `\nrtmp send: ${String(error)}`;
      this.ready = false;
      this.client = null;
    }
  }
}
