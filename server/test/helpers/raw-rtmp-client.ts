// A raw RTMP client for tests and the origin benchmark: simple handshake, connect, createStream,
// publish or play, and hand-made FLV-style media messages. It can misbehave on purpose: ignore the
// server's FIN and keep writing (like OBS after a refusal), or go silent after publishing.
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import amf from 'node-media-server/src/protocol/amf.js';

export interface RtmpStatus {
  readonly level: string;
  readonly code: string;
  readonly description: string;
}

export interface RtmpMediaMessage {
  /** 8 audio, 9 video, 18 data. */
  readonly type: number;
  readonly timestamp: number;
  readonly payload: Buffer;
}

interface ChunkState {
  timestamp: number;
  length: number;
  type: number;
  streamId: number;
  payload: Buffer[];
  received: number;
}

const OUT_CHUNK_SIZE = 60_000;

export class RawRtmpClient extends EventEmitter {
  readonly socket: net.Socket;
  /** Set when the server closed or reset the connection. */
  closed = false;
  /** Set when the server ended (FIN) its side. */
  endedByServer = false;
  readonly statuses: RtmpStatus[] = [];
  private handshakeDone = false;
  private pending: Buffer = Buffer.alloc(0);
  private inChunkSize = 128;
  private readonly chunks = new Map<number, ChunkState>();
  private streamId = 0;
  private transactions = new Map<number, (info: unknown) => void>();
  private nextTransId = 1;
  private readonly url: { host: string; port: number; app: string };

  /** `ignoreFin`: keep our side open and writable after the server's FIN. */
  constructor(
    options: { host: string; port: number; app?: string; ignoreFin?: boolean },
  ) {
    super();
    this.url = { host: options.host, port: options.port, app: options.app ?? 'live' };
    this.socket = net.connect({ host: options.host, port: options.port, allowHalfOpen: options.ignoreFin === true });
    this.socket.setNoDelay(true);
    this.socket.on('data', (data: Buffer) => this.onData(data));
    this.socket.on('end', () => {
      this.endedByServer = true;
      this.emit('server-end');
    });
    this.socket.on('error', (error) => this.emit('socket-error', error));
    this.socket.on('close', () => {
      this.closed = true;
      this.emit('close');
    });
  }

  /** Handshake, connect and createStream. */
  async open(): Promise<void> {
    await this.handshake();
    this.sendMessage(2, 1, 0, 0, u32(OUT_CHUNK_SIZE)); // set chunk size
    await this.command(0, {
      cmd: 'connect',
      cmdObj: { app: this.url.app, type: 'nonprivate', flashVer: 'FMLE/3.0 (compatible; test)', tcUrl: `rtmp://${this.url.host}:${this.url.port}/${this.url.app}` },
    });
    const info = await this.command(0, { cmd: 'createStream', cmdObj: null });
    this.streamId = typeof info === 'number' ? info : 1;
  }

  /** Connects and completes the simple handshake (C0+C1, S0+S1+S2, C2) only. */
  async handshake(): Promise<void> {
    await this.connected();
    const c1 = Buffer.concat([Buffer.alloc(8), randomBytes(1528)]);
    this.socket.write(Buffer.concat([Buffer.from([3]), c1]));
    await new Promise<void>((resolve, reject) => {
      if (this.handshakeDone) return resolve();
      this.once('handshake', resolve);
      this.once('close', () => reject(new Error('closed during handshake')));
    });
  }

  /** Resolves once the TCP connection is up. */
  connected(): Promise<void> {
    if (!this.socket.connecting && !this.closed) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.socket.once('connect', resolve);
      this.socket.once('error', reject);
    });
  }

  /** Sends one AMF0 command message (chunk stream 3, type 20) built from `payload` as is. */
  sendCommandPayload(payload: Buffer, streamId = 0): boolean {
    return this.sendMessage(3, 20, streamId, 0, payload);
  }

  /** Resolves once the server closed or reset the connection. */
  waitClosed(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => this.once('close', () => resolve()));
  }

  /** Sends publish and resolves with the first status the server answers. */
  async publish(streamNameWithQuery: string): Promise<RtmpStatus> {
    const status = this.nextStatus();
    this.sendCommand(this.streamId, { cmd: 'publish', transId: this.nextTransId++, cmdObj: null, streamName: streamNameWithQuery, type: 'live' });
    return status;
  }

  /** Sends play and resolves with the first status the server answers. */
  async play(streamNameWithQuery: string): Promise<RtmpStatus> {
    const status = this.nextStatus();
    this.sendCommand(this.streamId, { cmd: 'play', transId: this.nextTransId++, cmdObj: null, streamName: streamNameWithQuery, start: -2 });
    return status;
  }

  /** Resolves with the next onStatus, or rejects if the connection closes first. */
  nextStatus(): Promise<RtmpStatus> {
    return new Promise((resolve, reject) => {
      const onStatus = (status: RtmpStatus): void => {
        this.off('close', onClose);
        resolve(status);
      };
      const onClose = (): void => {
        this.off('status', onStatus);
        reject(new Error('connection closed before a status'));
      };
      this.once('status', onStatus);
      this.once('close', onClose);
    });
  }

  sendMetadata(metadata: Record<string, unknown>): boolean {
    return this.sendMessage(6, 18, this.streamId, 0, amf.encodeAmf0Data({ cmd: '@setDataFrame', method: 'onMetaData', dataObj: metadata }));
  }

  /** AVC sequence header (fake configuration record: the origin does not decode it). */
  sendVideoHeader(timestamp = 0): boolean {
    return this.sendMessage(5, 9, this.streamId, timestamp, Buffer.from([0x17, 0x00, 0, 0, 0, 0x01, 0x64, 0x00, 0x1f, 0xff, 0xe1, 0x00, 0x04, 0x67, 0x64, 0x00, 0x1f, 0x01, 0x00, 0x04, 0x68, 0xee, 0x3c, 0x80]));
  }

  /** An AVC NALU message carrying `body` after the 5-byte video tag header. */
  sendVideo(timestamp: number, keyframe: boolean, body: Buffer): boolean {
    const header = Buffer.from([keyframe ? 0x17 : 0x27, 0x01, 0, 0, 0]);
    return this.sendMessage(5, 9, this.streamId, timestamp, Buffer.concat([header, body]));
  }

  sendAudioHeader(timestamp = 0): boolean {
    return this.sendMessage(4, 8, this.streamId, timestamp, Buffer.from([0xaf, 0x00, 0x11, 0x88]));
  }

  sendAudio(timestamp: number, body: Buffer): boolean {
    return this.sendMessage(4, 8, this.streamId, timestamp, Buffer.concat([Buffer.from([0xaf, 0x01]), body]));
  }

  /** Writes raw bytes; false once the socket can no longer be written. */
  writeRaw(data: Buffer): boolean {
    if (this.socket.destroyed || !this.socket.writable) return false;
    this.socket.write(data);
    return true;
  }

  destroy(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      this.socket.once('close', () => resolve());
      this.socket.destroy();
    });
  }

  // ---- wire ------------------------------------------------------------------------------------

  private command(streamId: number, message: Record<string, unknown>): Promise<unknown> {
    const transId = this.nextTransId++;
    return new Promise((resolve, reject) => {
      this.transactions.set(transId, resolve);
      this.once('close', () => reject(new Error(`connection closed during ${String(message.cmd)}`)));
      this.sendCommand(streamId, { ...message, transId });
    });
  }

  private sendCommand(streamId: number, message: Record<string, unknown>): boolean {
    return this.sendMessage(3, 20, streamId, 0, amf.encodeAmf0Cmd(message));
  }

  /** One message as chunks: a type-0 chunk, then type-3 continuations. */
  sendMessage(cid: number, type: number, streamId: number, timestamp: number, payload: Buffer): boolean {
    const extended = timestamp >= 0xffffff;
    const header = Buffer.alloc(12);
    header[0] = cid & 0x3f;
    header.writeUIntBE(extended ? 0xffffff : timestamp, 1, 3);
    header.writeUIntBE(payload.length, 4, 3);
    header[7] = type;
    header.writeUInt32LE(streamId, 8);
    const parts: Buffer[] = [header];
    if (extended) parts.push(u32(timestamp));
    for (let offset = 0; offset < payload.length; offset += OUT_CHUNK_SIZE) {
      if (offset > 0) {
        parts.push(Buffer.from([0xc0 | (cid & 0x3f)]));
        if (extended) parts.push(u32(timestamp));
      }
      parts.push(payload.subarray(offset, offset + OUT_CHUNK_SIZE));
    }
    return this.writeRaw(Buffer.concat(parts));
  }

  private onData(data: Buffer): void {
    this.pending = this.pending.length === 0 ? data : Buffer.concat([this.pending, data]);
    if (!this.handshakeDone) {
      if (this.pending.length < 1 + 1536 * 2) return;
      const s1 = this.pending.subarray(1, 1537);
      this.socket.write(s1); // C2 echoes S1
      this.pending = this.pending.subarray(1 + 1536 * 2);
      this.handshakeDone = true;
      this.emit('handshake');
    }
    this.readChunks();
  }

  private readChunks(): void {
    for (;;) {
      const buffer = this.pending;
      if (buffer.length < 1) return;
      const fmt = buffer[0]! >> 6;
      let cid = buffer[0]! & 0x3f;
      let offset = 1;
      if (cid === 0) {
        if (buffer.length < 2) return;
        cid = 64 + buffer[1]!;
        offset = 2;
      } else if (cid === 1) {
        if (buffer.length < 3) return;
        cid = 64 + buffer[1]! + buffer[2]! * 256;
        offset = 3;
      }
      const headerSize = [11, 7, 3, 0][fmt]!;
      if (buffer.length < offset + headerSize) return;
      const previous = this.chunks.get(cid);
      const state: ChunkState = previous ?? { timestamp: 0, length: 0, type: 0, streamId: 0, payload: [], received: 0 };
      let timestampField = -1;
      const starting = state.received === 0;
      if (fmt <= 2) timestampField = buffer.readUIntBE(offset, 3);
      if (fmt <= 1) {
        state.length = buffer.readUIntBE(offset + 3, 3);
        state.type = buffer[offset + 6]!;
      }
      if (fmt === 0) state.streamId = buffer.readUInt32LE(offset + 7);
      offset += headerSize;
      if (timestampField === 0xffffff) {
        if (buffer.length < offset + 4) return;
        timestampField = buffer.readUInt32BE(offset);
        offset += 4;
      }
      const take = Math.min(this.inChunkSize, state.length - state.received);
      if (buffer.length < offset + take) return;
      if (starting && timestampField >= 0) state.timestamp = fmt === 0 ? timestampField : state.timestamp + timestampField;
      state.payload.push(buffer.subarray(offset, offset + take));
      state.received += take;
      this.chunks.set(cid, state);
      this.pending = buffer.subarray(offset + take);
      if (state.received >= state.length) {
        const payload = Buffer.concat(state.payload);
        state.payload = [];
        state.received = 0;
        this.onMessage(state.type, state.timestamp, payload);
      }
    }
  }

  private onMessage(type: number, timestamp: number, payload: Buffer): void {
    switch (type) {
      case 1:
        this.inChunkSize = payload.readUInt32BE(0) & 0x7fffffff;
        return;
      case 20: {
        const message = amf.decodeAmf0Cmd(payload);
        if (message.cmd === '_result' || message.cmd === '_error') {
          const transId = message.transId as number;
          const resolve = this.transactions.get(transId);
          this.transactions.delete(transId);
          resolve?.(message.info);
        } else if (message.cmd === 'onStatus') {
          const info = (message.info ?? {}) as Record<string, unknown>;
          const status: RtmpStatus = { level: String(info.level), code: String(info.code), description: String(info.description) };
          this.statuses.push(status);
          this.emit('status', status);
        }
        return;
      }
      case 8:
      case 9:
      case 18:
        this.emit('media', { type, timestamp, payload } satisfies RtmpMediaMessage);
        return;
      default:
        return;
    }
  }
}

function u32(value: number): Buffer {
  const buffer = Buffer.alloc(4);
  buffer.writeUInt32BE(value >>> 0);
  return buffer;
}
