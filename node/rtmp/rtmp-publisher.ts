// An RTMP publish client: the push engine hands it FLV tag bodies from its encoders and each one
// leaves on the socket as soon as it is given (no muxer between the encoders and the network).
//
// Chunk streams: 2 protocol control, 3 commands on the connection (stream 0), 5 commands on the
// publish stream, 4 audio and data, 6 video (ffmpeg's layout, so server logs look familiar).
//
// Failure model (OBS-style codes): CONNECT_FAILED before a TCP/TLS connection exists; REFUSED when
// the server says no (or hangs up after our publish command without accepting it); TIMEOUT when
// the publish is not accepted in time; PROTOCOL on malformed server data; CLOSED when an
// established connection goes away. The connection ends in one place (`onSocketClose`), which
// emits `close` once, so "I closed it" (no error) and "it closed under me" (an error) never mix.
import net from 'node:net';
import tls from 'node:tls';
import { randomBytes } from 'node:crypto';
import { decodeAmf0Values } from '../../common/media/amf0';
import { InvalidStateError } from '../../common/errors';
import { TypedEmitter } from '../../common/typed-emitter';
import { silentLogger, type Logger } from '../logger';
import { Amf0EcmaArray, encodeAmf0, type Amf0Value } from './amf0-encoder';
import { RtmpChunkReader, RtmpChunkError, TYPE_ABORT, TYPE_SET_CHUNK_SIZE, type RtmpReceivedMessage } from './rtmp-chunk-reader';
import { RtmpChunkWriter, type RtmpMessage } from './rtmp-chunk-writer';

export interface RtmpPublisherOptions {
  /** rtmp://host[:port]/app/stream?query or rtmps://… (ports default to 1935 / 443). */
  readonly url: string;
  /** TCP connect + handshake + publish answered, default 5000. */
  readonly connectTimeoutMs?: number;
  readonly logger?: Logger;
  /** rtmps: certificates (PEM) to trust besides the system's, e.g. a self-hosted origin's private CA. */
  readonly tlsCa?: string | readonly string[];
}

export type RtmpPublishErrorCode = 'REFUSED' | 'CONNECT_FAILED' | 'PROTOCOL' | 'TIMEOUT' | 'CLOSED';

export class RtmpPublishError extends Error {
  override readonly name = 'RtmpPublishError';
  readonly code: RtmpPublishErrorCode;
  /** The server's status code, e.g. 'NetStream.Publish.BadName', when it sent one. */
  readonly serverCode?: string;

  constructor(code: RtmpPublishErrorCode, message: string, options: { serverCode?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    if (options.serverCode !== undefined) this.serverCode = options.serverCode;
  }
}

export interface RtmpPublisherEvents extends Record<string, unknown> {
  /** Emitted once when the connection is over (server closed, socket error, protocol error, or our close()). `error` absent only for our own close(). */
  close: { error?: RtmpPublishError };
}

const DEFAULT_CONNECT_TIMEOUT_MS = 5000;
/** How long close() lets the server take our FIN before it destroys the socket. */
const CLOSE_GRACE_MS = 1000;
const OUR_CHUNK_SIZE = 4096;
const HANDSHAKE_SIZE = 1536;
const RTMP_VERSION = 3;
const FLASH_VERSION = 'FMLE/3.0 (compatible; LinkMicStudio)';

const CSID_CONTROL = 2;
const CSID_COMMAND = 3;
const CSID_AUDIO_DATA = 4;
const CSID_STREAM_COMMAND = 5;
const CSID_VIDEO = 6;

const TYPE_ACKNOWLEDGEMENT = 3;
const TYPE_USER_CONTROL = 4;
const TYPE_WINDOW_ACK_SIZE = 5;
const TYPE_SET_PEER_BANDWIDTH = 6;
const TYPE_AUDIO = 8;
const TYPE_VIDEO = 9;
const TYPE_DATA_AMF3 = 15;
const TYPE_COMMAND_AMF3 = 17;
const TYPE_DATA = 18;
const TYPE_COMMAND = 20;
const USER_CONTROL_PING_REQUEST = 6;
const USER_CONTROL_PING_RESPONSE = 7;

const TXN_CONNECT = 1;
const TXN_RELEASE_STREAM = 2;
const TXN_FC_PUBLISH = 3;
const TXN_CREATE_STREAM = 4;

type Phase = 'idle' | 'connecting' | 'handshake' | 'commands' | 'publishing' | 'published' | 'closing' | 'closed';

interface Target {
  readonly secure: boolean;
  readonly host: string;
  readonly port: number;
  readonly app: string;
  readonly tcUrl: string;
  /** Path after the app, with the URL's query (signatures travel in it). */
  readonly streamName: string;
  /** For logs: never the query. */
  readonly display: string;
}

interface StatusInfo {
  readonly level?: string;
  readonly code?: string;
  readonly description?: string;
}

export class RtmpPublisher extends TypedEmitter<RtmpPublisherEvents> {
  private readonly target: Target;
  private readonly connectTimeoutMs: number;
  private readonly tlsCa: readonly string[] | undefined;
  private readonly logger: Logger;
  private readonly writer = new RtmpChunkWriter();
  private readonly reader = new RtmpChunkReader();
  private socket: net.Socket | undefined;
  private phase: Phase = 'idle';
  private handshakeBytes: Buffer = Buffer.alloc(0);
  private streamId = 0;
  private nextTransactionId = TXN_CREATE_STREAM + 1;
  private publishTransactionId = 0;
  private failure: RtmpPublishError | undefined;
  private closedByUs = false;
  private connectTimer: NodeJS.Timeout | undefined;
  private graceTimer: NodeJS.Timeout | undefined;
  private publishSettle: { resolve: () => void; reject: (error: Error) => void } | undefined;
  private closePromise: Promise<void> | undefined;
  private resolveClosed!: () => void;
  private readonly closedPromise: Promise<void>;
  private bytesHanded = 0;
  private bytesFlushedAtClose = 0;
  private bytesReceived = 0;
  private ackWindow = 0;
  private lastAckAt = 0;
  private peerBandwidthAnswered = 0;

  constructor(options: RtmpPublisherOptions) {
    const logger = options.logger ?? silentLogger();
    super((error, event) => logger.error({ err: error, event }, 'RTMP publisher listener threw'));
    this.target = parseTarget(options.url);
    this.connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    this.tlsCa = options.tlsCa === undefined ? undefined : typeof options.tlsCa === 'string' ? [options.tlsCa] : options.tlsCa;
    if (!(this.connectTimeoutMs > 0)) throw new TypeError(`connectTimeoutMs must be positive, got ${this.connectTimeoutMs}`);
    this.logger = logger.child({ rtmp: this.target.display });
    this.closedPromise = new Promise((resolve) => (this.resolveClosed = resolve));
  }

  get published(): boolean {
    return this.phase === 'published';
  }

  /** Bytes queued in the socket, not yet written (the backpressure figure). */
  get bufferedBytes(): number {
    return this.socket !== undefined && this.phase !== 'closed' ? this.socket.writableLength : 0;
  }

  /** Bytes written to the socket (those still queued, bufferedBytes, are not counted). */
  get bytesSent(): number {
    if (this.phase === 'closed') return this.bytesFlushedAtClose;
    return this.bytesHanded - this.bufferedBytes;
  }

  /** Connects and publishes; resolves on NetStream.Publish.Start. Call once. */
  publish(): Promise<void> {
    if (this.phase === 'closed') return Promise.reject(new RtmpPublishError('CLOSED', 'the publisher is closed'));
    if (this.phase !== 'idle') return Promise.reject(new InvalidStateError('publish() was already called'));
    this.phase = 'connecting';
    const settled = new Promise<void>((resolve, reject) => (this.publishSettle = { resolve, reject }));
    this.connectTimer = setTimeout(() => this.fail(new RtmpPublishError('TIMEOUT', `the publish was not accepted within ${this.connectTimeoutMs} ms (${this.phase})`)), this.connectTimeoutMs);
    const { secure, host, port } = this.target;
    this.logger.debug({ secure, host, port }, 'connecting');
    const socket = secure
      ? tls.connect({ host, port, servername: net.isIP(host) === 0 ? host : undefined, ALPNProtocols: [], ...(this.tlsCa ? { ca: [...tls.rootCertificates, ...this.tlsCa] } : {}) })
      : net.connect({ host, port });
    this.socket = socket;
    socket.setNoDelay(true);
    socket.once(secure ? 'secureConnect' : 'connect', () => this.guard(() => this.onConnected()));
    socket.on('data', (data: Buffer) => this.guard(() => this.onData(data)));
    socket.on('error', (error) => this.guard(() => this.onSocketError(error)));
    socket.once('close', () => this.onSocketClose());
    return settled;
  }

  /** `@setDataFrame` 'onMetaData' with an ECMA array, as ffmpeg sends it. Ignored unless published. */
  sendMetadata(metadata: Record<string, number | string | boolean>): void {
    if (this.phase !== 'published') return;
    const body = encodeAmf0('@setDataFrame', 'onMetaData', new Amf0EcmaArray(metadata));
    this.send({ chunkStreamId: CSID_AUDIO_DATA, typeId: TYPE_DATA, streamId: this.streamId, timestamp: 0, payload: body });
  }

  /** An FLV audio tag body (first byte: the FLV audio header). Ignored unless published. */
  sendAudio(timestampMs: number, body: Uint8Array): void {
    if (this.phase !== 'published') return;
    this.send({ chunkStreamId: CSID_AUDIO_DATA, typeId: TYPE_AUDIO, streamId: this.streamId, timestamp: timestampMs, payload: body });
  }

  /** An FLV video tag body (first byte: the FLV video header). Ignored unless published. */
  sendVideo(timestampMs: number, body: Uint8Array): void {
    if (this.phase !== 'published') return;
    this.send({ chunkStreamId: CSID_VIDEO, typeId: TYPE_VIDEO, streamId: this.streamId, timestamp: timestampMs, payload: body });
  }

  /** Idempotent: unpublishes (best effort), closes the socket, resolves once it is closed. */
  close(): Promise<void> {
    if (this.closePromise) return this.closePromise;
    this.closePromise = this.closedPromise;
    if (this.phase === 'closed') return this.closePromise;
    if (this.failure === undefined) this.closedByUs = true;
    this.clearConnectTimer();
    this.settlePublish(new RtmpPublishError('CLOSED', 'the publisher was closed before the publish was accepted'));
    const socket = this.socket;
    if (socket === undefined) {
      this.finish();
    } else if (this.phase === 'published') {
      this.guard(() => {
        this.sendCommand(CSID_STREAM_COMMAND, this.streamId, 'FCUnpublish', this.nextTransactionId++, null, this.target.streamName);
        this.sendCommand(CSID_COMMAND, 0, 'deleteStream', this.nextTransactionId++, null, this.streamId);
      });
      this.phase = 'closing';
      socket.end();
      this.graceTimer = setTimeout(() => socket.destroy(), CLOSE_GRACE_MS);
    } else {
      socket.destroy();
    }
    return this.closePromise;
  }

  private onConnected(): void {
    if (this.phase !== 'connecting') return;
    this.phase = 'handshake';
    const c1 = Buffer.alloc(1 + HANDSHAKE_SIZE);
    c1[0] = RTMP_VERSION;
    c1.writeUInt32BE(Math.floor(process.uptime() * 1000) >>> 0, 1);
    randomBytes(HANDSHAKE_SIZE - 8).copy(c1, 9);
    this.write(c1);
  }

  private onData(data: Buffer): void {
    if (this.isOver()) return;
    this.bytesReceived += data.length;
    let rest = data;
    if (this.phase === 'handshake') {
      this.handshakeBytes = Buffer.concat([this.handshakeBytes, data]);
      const s0s1s2 = 1 + 2 * HANDSHAKE_SIZE;
      if (this.handshakeBytes.length < s0s1s2) return;
      if (this.handshakeBytes[0] !== RTMP_VERSION) throw new RtmpPublishError('PROTOCOL', `the server answered the handshake with version ${this.handshakeBytes[0]}`);
      // C2 echoes S1; S2 (the echo of our C1) is not checked, as ffmpeg does not either.
      this.write(this.handshakeBytes.subarray(1, 1 + HANDSHAKE_SIZE));
      rest = this.handshakeBytes.subarray(s0s1s2);
      this.handshakeBytes = Buffer.alloc(0);
      this.phase = 'commands';
      this.startCommands();
    }
    if (rest.length > 0) {
      for (const message of this.reader.push(rest)) {
        this.onMessage(message);
        if (this.isOver()) return;
      }
    }
    this.acknowledge();
  }

  /** A handler may have ended the connection (TypeScript cannot see that phase changed). */
  private isOver(): boolean {
    return this.failure !== undefined || this.phase === 'closed';
  }

  private startCommands(): void {
    const size = Buffer.alloc(4);
    size.writeUInt32BE(OUR_CHUNK_SIZE);
    this.send({ chunkStreamId: CSID_CONTROL, typeId: TYPE_SET_CHUNK_SIZE, streamId: 0, timestamp: 0, payload: size });
    this.writer.setChunkSize(OUR_CHUNK_SIZE);
    const { app, tcUrl } = this.target;
    this.sendCommand(CSID_COMMAND, 0, 'connect', TXN_CONNECT, { app, type: 'nonprivate', flashVer: FLASH_VERSION, tcUrl });
  }

  private onMessage(message: RtmpReceivedMessage): void {
    const { typeId, payload } = message;
    switch (typeId) {
      case TYPE_SET_CHUNK_SIZE:
        this.logger.debug({ chunkSize: this.reader.chunkSize }, 'server chunk size');
        return;
      case TYPE_ABORT:
        return;
      case TYPE_WINDOW_ACK_SIZE:
        if (payload.length < 4) throw new RtmpPublishError('PROTOCOL', `a Window Acknowledgement Size message of ${payload.length} bytes`);
        this.ackWindow = payload.readUInt32BE(0);
        return;
      case TYPE_SET_PEER_BANDWIDTH: {
        if (payload.length < 4) throw new RtmpPublishError('PROTOCOL', `a Set Peer Bandwidth message of ${payload.length} bytes`);
        // The spec asks for our window size in answer whenever the bandwidth differs from the last one we sent.
        const bandwidth = payload.readUInt32BE(0);
        if (bandwidth !== this.peerBandwidthAnswered) {
          this.peerBandwidthAnswered = bandwidth;
          this.send({ chunkStreamId: CSID_CONTROL, typeId: TYPE_WINDOW_ACK_SIZE, streamId: 0, timestamp: 0, payload: uint32(bandwidth) });
        }
        return;
      }
      case TYPE_USER_CONTROL:
        this.onUserControl(payload);
        return;
      case TYPE_COMMAND:
        this.onCommand(payload);
        return;
      case TYPE_COMMAND_AMF3:
        // An AMF3 command message is AMF0 after a format byte.
        this.onCommand(payload.subarray(1));
        return;
      case TYPE_DATA:
      case TYPE_DATA_AMF3:
        return; // e.g. |RtmpSampleAccess: nothing a publisher acts on
      default:
        this.logger.debug({ typeId }, 'ignored a server message');
    }
  }

  private onUserControl(payload: Buffer): void {
    if (payload.length < 2) throw new RtmpPublishError('PROTOCOL', `a User Control message of ${payload.length} bytes`);
    if (payload.readUInt16BE(0) !== USER_CONTROL_PING_REQUEST) return;
    if (payload.length < 6) throw new RtmpPublishError('PROTOCOL', `a ping request of ${payload.length} bytes`);
    const response = Buffer.alloc(6);
    response.writeUInt16BE(USER_CONTROL_PING_RESPONSE, 0);
    payload.copy(response, 2, 2, 6);
    this.send({ chunkStreamId: CSID_CONTROL, typeId: TYPE_USER_CONTROL, streamId: 0, timestamp: 0, payload: response });
  }

  private onCommand(payload: Buffer): void {
    let values: unknown[];
    try {
      values = decodeAmf0Values(payload);
    } catch (error) {
      throw new RtmpPublishError('PROTOCOL', `an undecodable command from the server: ${describe(error)}`, { cause: error });
    }
    const [name, transactionId] = values;
    if (typeof name !== 'string') throw new RtmpPublishError('PROTOCOL', 'a command from the server without a name');
    const info = asStatusInfo(values[3]);
    if (name === '_result' || name === '_error') {
      this.onAnswer(name === '_result', typeof transactionId === 'number' ? transactionId : -1, values[3], info);
    } else if (name === 'onStatus') {
      this.onStatus(info);
    } else {
      this.logger.debug({ command: name }, 'ignored a server command');
    }
  }

  private onAnswer(ok: boolean, transactionId: number, result: unknown, info: StatusInfo): void {
    const step = transactionId === TXN_CONNECT ? 'connect' : transactionId === TXN_CREATE_STREAM ? 'createStream' : transactionId === this.publishTransactionId ? 'publish' : undefined;
    // releaseStream and FCPublish answers, when a server sends them, decide nothing (many answer _error).
    if (step === undefined || this.phase === 'published') return;
    if (!ok) throw refusal(step, info);
    if (step === 'connect' && this.phase === 'commands') {
      const name = this.target.streamName;
      this.sendCommand(CSID_COMMAND, 0, 'releaseStream', TXN_RELEASE_STREAM, null, name);
      this.sendCommand(CSID_COMMAND, 0, 'FCPublish', TXN_FC_PUBLISH, null, name);
      this.sendCommand(CSID_COMMAND, 0, 'createStream', TXN_CREATE_STREAM, null);
    } else if (step === 'createStream' && this.phase === 'commands') {
      if (typeof result !== 'number' || !Number.isInteger(result) || result < 0 || result > 0xffffffff) {
        throw new RtmpPublishError('PROTOCOL', `createStream answered with stream id ${String(result)}`);
      }
      this.streamId = result;
      this.phase = 'publishing';
      this.publishTransactionId = this.nextTransactionId++;
      this.sendCommand(CSID_STREAM_COMMAND, this.streamId, 'publish', this.publishTransactionId, null, this.target.streamName, 'live');
    }
  }

  private onStatus(info: StatusInfo): void {
    this.logger.debug({ code: info.code, level: info.level }, 'onStatus');
    if (info.level === 'error') throw refusal(this.phase === 'published' ? 'the stream' : 'publish', info);
    if (this.phase === 'publishing' && info.code === 'NetStream.Publish.Start') {
      this.phase = 'published';
      this.clearConnectTimer();
      this.logger.info({ streamId: this.streamId }, 'published');
      this.settlePublish();
      return;
    }
    if (this.phase === 'published' && info.code?.startsWith('NetStream.Unpublish') === true) {
      throw new RtmpPublishError('REFUSED', `the server ended the publish: ${describeStatus(info)}`, { serverCode: info.code });
    }
  }

  /** Acknowledges what we received each time it passes the server's window since the last acknowledgement. */
  private acknowledge(): void {
    if (this.ackWindow <= 0 || this.bytesReceived - this.lastAckAt < this.ackWindow) return;
    this.lastAckAt = this.bytesReceived;
    this.send({ chunkStreamId: CSID_CONTROL, typeId: TYPE_ACKNOWLEDGEMENT, streamId: 0, timestamp: 0, payload: uint32(this.bytesReceived >>> 0) });
  }

  private sendCommand(chunkStreamId: number, streamId: number, name: string, transactionId: number, ...args: Amf0Value[]): void {
    this.send({ chunkStreamId, typeId: TYPE_COMMAND, streamId, timestamp: 0, payload: encodeAmf0(name, transactionId, ...args) });
  }

  private send(message: RtmpMessage): void {
    this.write(this.writer.write(message));
  }

  private write(bytes: Buffer): void {
    const socket = this.socket;
    if (socket === undefined || socket.destroyed || !socket.writable) return;
    this.bytesHanded += bytes.length;
    socket.write(bytes);
  }

  private onSocketError(error: Error): void {
    if (this.failure !== undefined || this.closedByUs) return;
    switch (this.phase) {
      case 'connecting':
        this.fail(new RtmpPublishError('CONNECT_FAILED', error.message, { cause: error }));
        return;
      case 'publishing':
        this.fail(closedBeforeAccepting(error));
        return;
      default:
        this.fail(new RtmpPublishError('CLOSED', `the connection failed: ${error.message}`, { cause: error }));
    }
  }

  private onSocketClose(): void {
    if (this.failure === undefined && !this.closedByUs) {
      switch (this.phase) {
        case 'publishing':
          this.failure = closedBeforeAccepting();
          break;
        case 'connecting':
          this.failure = new RtmpPublishError('CONNECT_FAILED', 'the connection closed before it was established');
          break;
        default:
          this.failure = new RtmpPublishError('CLOSED', `the server closed the connection${this.phase === 'published' ? '' : ` during the ${this.phase === 'handshake' ? 'handshake' : 'connect commands'}`}`);
      }
      this.logger.warn({ err: this.failure }, 'RTMP connection lost');
    }
    this.finish();
  }

  /** Ends the connection with `error` (the first one wins); `close` follows from the socket's close. */
  private fail(error: RtmpPublishError): void {
    if (this.failure !== undefined || this.closedByUs) return;
    this.failure = error;
    const level = error.code === 'PROTOCOL' ? 'error' : 'warn';
    this.logger[level]({ err: error, code: error.code, serverCode: error.serverCode }, 'RTMP publish failed');
    this.clearConnectTimer();
    this.settlePublish(error);
    if (this.socket === undefined) this.finish();
    else this.socket.destroy();
  }

  /** The one end of every connection: settles everything and emits `close` once. */
  private finish(): void {
    if (this.phase === 'closed') return;
    this.bytesFlushedAtClose = this.bytesHanded - (this.socket?.writableLength ?? 0);
    this.phase = 'closed';
    this.clearConnectTimer();
    if (this.graceTimer !== undefined) clearTimeout(this.graceTimer);
    this.graceTimer = undefined;
    this.settlePublish(this.failure ?? new RtmpPublishError('CLOSED', 'the publisher was closed before the publish was accepted'));
    this.resolveClosed();
    this.emit('close', this.failure === undefined ? {} : { error: this.failure });
  }

  private settlePublish(error?: Error): void {
    const settle = this.publishSettle;
    if (settle === undefined) return;
    this.publishSettle = undefined;
    if (error === undefined) settle.resolve();
    else settle.reject(error);
  }

  private clearConnectTimer(): void {
    if (this.connectTimer !== undefined) clearTimeout(this.connectTimer);
    this.connectTimer = undefined;
  }

  /** Runs a socket-driven step; whatever it throws ends the connection instead of escaping the handler. */
  private guard(step: () => void): void {
    try {
      step();
    } catch (error) {
      if (error instanceof RtmpPublishError) this.fail(error);
      else if (error instanceof RtmpChunkError) this.fail(new RtmpPublishError('PROTOCOL', `malformed RTMP from the server: ${error.message}`, { cause: error }));
      else this.fail(new RtmpPublishError('PROTOCOL', `could not handle the server's data: ${describe(error)}`, { cause: error }));
    }
  }
}

function parseTarget(raw: string): Target {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new TypeError('url: not a URL');
  }
  const secure = url.protocol === 'rtmps:';
  if (!secure && url.protocol !== 'rtmp:') throw new TypeError(`url: protocol ${url.protocol} is not rtmp: or rtmps:`);
  // URL keeps IPv6 literals in brackets; sockets want them bare.
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (host === '') throw new TypeError('url: no host');
  const port = url.port === '' ? (secure ? 443 : 1935) : Number(url.port);
  const path = url.pathname.replace(/^\/+/, '');
  const slash = path.indexOf('/');
  const app = slash < 0 ? '' : path.slice(0, slash);
  const stream = slash < 0 ? '' : path.slice(slash + 1);
  if (app === '' || stream === '') throw new TypeError('url: expected rtmp://host[:port]/app/stream');
  return {
    secure,
    host,
    port,
    app,
    tcUrl: `${url.protocol}//${url.host}/${app}`,
    streamName: `${stream}${url.search}`,
    display: `${url.protocol}//${url.host}/${app}/${stream}`,
  };
}

function asStatusInfo(value: unknown): StatusInfo {
  if (typeof value !== 'object' || value === null) return {};
  const record = value as Record<string, unknown>;
  const text = (key: string): string | undefined => (typeof record[key] === 'string' ? record[key] : undefined);
  return { level: text('level'), code: text('code'), description: text('description') };
}

function describeStatus(info: StatusInfo): string {
  const parts = [info.code, info.description].filter((part): part is string => part !== undefined && part !== '');
  return parts.length > 0 ? parts.join(': ') : 'no reason given';
}

function refusal(step: string, info: StatusInfo): RtmpPublishError {
  return new RtmpPublishError('REFUSED', `the server refused ${step}: ${describeStatus(info)}`, info.code === undefined ? {} : { serverCode: info.code });
}

function closedBeforeAccepting(error?: Error): RtmpPublishError {
  const message = 'the server closed the connection before accepting the publish';
  return new RtmpPublishError('REFUSED', error ? `${message} (${error.message})` : message, { cause: error });
}

function uint32(value: number): Buffer {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(value >>> 0);
  return out;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
