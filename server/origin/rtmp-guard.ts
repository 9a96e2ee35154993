// Guards one RTMP connection's parse paths: node-media-server 4.4.3's chunk reader, AMF0 decoder
// and command handlers throw on malformed input straight out of the socket's `data` handler, which
// ends the process (issue 11: one `connect` without tcUrl killed every room on the server). Here
// every byte the peer sends is parsed inside a guard, and the inputs NMS would crash on, or buffer
// without bound, are refused before NMS sees them:
//   - `connect`: the command object must be an object with a string `app` and a `tcUrl` that is a
//     URL, sent once (NMS calls `new URL(cmdObj.tcUrl)`);
//   - set chunk size: 1..2^31-1, with a 4-byte body (0 stalls NMS's reader for ever);
//   - commands and data messages: well-formed AMF0 nested at most 16 deep (amf0-check.ts);
//   - message length: bounded as its chunk header is read (commands and anything before publish
//     `maxCommandBytes`, a publisher's media `maxMediaBytes`); at most `maxChunkStreams` chunk streams;
//   - audio / video / data messages only from an accepted publisher;
//   - deadlines that do not reset on each byte (a slow-drip peer cannot hold a connection): the
//     handshake done within `handshakeTimeoutMs` of connecting, a publish or play accepted within
//     `commandTimeoutMs`.
// Anything else NMS throws while parsing is caught too. A refused peer is dropped: its socket stops
// being read and is destroyed, and `onDrop` gets the reason as a LinkMicError with a stable code
// (INVALID_MESSAGE, MESSAGE_TOO_LARGE, TIMEOUT).
import { z } from 'zod';
import { LinkMicError, toErrorPayload } from '../../common';
import type { InvokeMessage } from 'node-media-server/src/protocol/rtmp.js';
import { checkAmf0 } from './amf0-check';
import type { RtmpSession } from './nms-bridge';

export interface RtmpGuardLimits {
  /** The RTMP handshake (C0, C1, C2) must be complete this long after connecting. */
  readonly handshakeTimeoutMs: number;
  /** A publish or play must be accepted this long after connecting. */
  readonly commandTimeoutMs: number;
  /** Largest command / control / data message, and any message before the peer publishes. */
  readonly maxCommandBytes: number;
  /** Largest audio or video message of an accepted publisher. */
  readonly maxMediaBytes: number;
  /** Most chunk streams one connection may use. */
  readonly maxChunkStreams: number;
}

export type RtmpMessageLimits = Omit<RtmpGuardLimits, 'handshakeTimeoutMs' | 'commandTimeoutMs'>;

export const DEFAULT_RTMP_GUARD_LIMITS: RtmpMessageLimits = {
  maxCommandBytes: 256 * 1024,
  maxMediaBytes: 8 * 1024 * 1024,
  maxChunkStreams: 64,
};

/** Where the connection was when it was dropped. */
export type RtmpDropPhase = 'handshake' | 'command' | 'publishing' | 'playing';

export interface RtmpGuardHooks {
  /** The connection's role as the origin sees it. */
  role(): 'pending' | 'publisher' | 'player' | 'refused';
  /** Called once, when the guard drops the peer (the socket is being destroyed). */
  onDrop(error: LinkMicError, phase: RtmpDropPhase): void;
}

const RTMP_HANDSHAKE_DONE = 3;
const TYPE_SET_CHUNK_SIZE = 1;
const TYPE_AUDIO = 8;
const TYPE_VIDEO = 9;
const TYPE_FLEX_MESSAGE = 17;
const TYPE_DATA = 18;
const MAX_CHUNK_SIZE = 0x7fffffff;

const connectObjectSchema = z.looseObject({
  app: z.string().max(1024),
  tcUrl: z
    .string()
    .max(4096)
    .refine((value) => URL.canParse(value), 'is not a URL'),
  objectEncoding: z.number().optional(),
});

/** Describes the first problem of a zod error as "field: message". */
function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid';
  return `${issue.path.length > 0 ? issue.path.join('.') : 'command object'}: ${issue.message}`;
}

export class RtmpGuard {
  private dropped = false;
  private handshook = false;
  private settled = false;
  private connected = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly startedAt = Date.now();

  /** Wraps `session`'s parse paths; call before `session.run()`. */
  constructor(
    private readonly session: RtmpSession,
    private readonly limits: RtmpGuardLimits,
    private readonly hooks: RtmpGuardHooks,
  ) {
    const rtmp = session.rtmp;
    const parse = session.onData;
    session.onData = (data: Buffer) => {
      if (this.dropped) return;
      try {
        parse(data);
      } catch (error) {
        this.drop(error instanceof LinkMicError ? error : new LinkMicError('INVALID_MESSAGE', `unparseable RTMP input: ${toErrorPayload(error).message}`, { cause: error }));
        return;
      }
      if (!this.handshook && rtmp.handshakeState >= RTMP_HANDSHAKE_DONE) {
        this.handshook = true;
        this.arm();
      }
    };

    // Each chunk header, as soon as it is read (before the message's buffer is allocated).
    const readHeader = rtmp.chunkMessageHeaderRead.bind(rtmp);
    rtmp.chunkMessageHeaderRead = () => {
      const offset = readHeader();
      const { type, length } = rtmp.parserPacket.header;
      const media = (type === TYPE_AUDIO || type === TYPE_VIDEO) && this.hooks.role() === 'publisher';
      const bound = media ? this.limits.maxMediaBytes : this.limits.maxCommandBytes;
      if (length > bound) throw new LinkMicError('MESSAGE_TOO_LARGE', `an RTMP message of ${length} bytes (type ${type}) is over the ${bound}-byte bound`);
      if (rtmp.inPackets.size > this.limits.maxChunkStreams) throw new LinkMicError('INVALID_MESSAGE', `more than ${this.limits.maxChunkStreams} RTMP chunk streams`);
      return offset;
    };

    // Commands (AMF0, or AMF0 after a zero byte in the AMF3 "flex" message) must be well formed.
    const invoke = rtmp.invokeHandler.bind(rtmp);
    rtmp.invokeHandler = () => {
      const { type, length } = rtmp.parserPacket.header;
      const problem = checkAmf0(rtmp.parserPacket.payload.subarray(type === TYPE_FLEX_MESSAGE ? 1 : 0, length));
      if (problem !== undefined) throw new LinkMicError('INVALID_MESSAGE', `RTMP command: ${problem}`);
      invoke();
    };

    const control = rtmp.controlHandler.bind(rtmp);
    rtmp.controlHandler = () => {
      const { type, length } = rtmp.parserPacket.header;
      if (type === TYPE_SET_CHUNK_SIZE) {
        if (length < 4) throw new LinkMicError('INVALID_MESSAGE', `set chunk size with a ${length}-byte body`);
        const size = rtmp.parserPacket.payload.readUInt32BE(0);
        if (size < 1 || size > MAX_CHUNK_SIZE) throw new LinkMicError('INVALID_MESSAGE', `chunk size ${size} is outside 1..${MAX_CHUNK_SIZE}`);
      }
      control();
    };

    const connect = rtmp.onConnect.bind(rtmp);
    rtmp.onConnect = (message: InvokeMessage) => {
      if (this.connected) throw new LinkMicError('INVALID_MESSAGE', 'a second connect on one RTMP connection');
      const checked = connectObjectSchema.safeParse(message.cmdObj);
      if (!checked.success) {
        const error = new LinkMicError('INVALID_MESSAGE', `connect: ${describeIssue(checked.error)}`, { field: 'cmdObj' });
        this.rejectConnect(message, error);
        throw error;
      }
      this.connected = true;
      connect(message);
    };

    const deliver = session.onPacket;
    session.onPacket = (packet) => {
      if (this.hooks.role() !== 'publisher') {
        throw new LinkMicError('INVALID_MESSAGE', `an RTMP media or data message (type ${packet.codec_type}) from a connection that does not publish`);
      }
      if (packet.codec_type === TYPE_DATA) {
        const problem = checkAmf0(packet.data.subarray(0, packet.size));
        if (problem !== undefined) throw new LinkMicError('INVALID_MESSAGE', `RTMP data message: ${problem}`);
      }
      deliver(packet);
    };

    this.arm();
  }

  /** The origin accepted a publish or play: no command deadline any more. */
  settle(): void {
    this.settled = true;
    this.clearTimer();
  }

  /** Stops the deadlines (the socket closed). Idempotent. */
  dispose(): void {
    this.dropped = true;
    this.clearTimer();
  }

  /** Drops the peer with `error` (also used by the deadlines). Idempotent. */
  drop(error: LinkMicError): void {
    if (this.dropped) return;
    this.dropped = true;
    this.clearTimer();
    const socket = this.session.socket;
    socket.removeListener('data', this.session.onData);
    try {
      this.hooks.onDrop(error, this.phase());
    } finally {
      socket.destroy();
    }
  }

  private phase(): RtmpDropPhase {
    if (!this.handshook) return 'handshake';
    const role = this.hooks.role();
    if (role === 'publisher') return 'publishing';
    if (role === 'player') return 'playing';
    return 'command';
  }

  /** Arms the deadline of the current phase, counted from the moment of connecting. */
  private arm(): void {
    this.clearTimer();
    if (this.dropped || this.settled) return;
    const [deadline, what] = this.handshook ? [this.limits.commandTimeoutMs, 'publish or play'] : [this.limits.handshakeTimeoutMs, 'RTMP handshake'];
    const left = Math.max(0, this.startedAt + deadline - Date.now());
    this.timer = setTimeout(() => this.drop(new LinkMicError('TIMEOUT', `no ${what} within ${deadline} ms of connecting`)), left);
    this.timer.unref();
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Answers a refused connect the way RTMP clients understand (ffmpeg prints the description). */
  private rejectConnect(message: InvokeMessage, error: LinkMicError): void {
    try {
      const transId = typeof message.transId === 'number' ? message.transId : 1;
      this.session.rtmp.sendInvokeMessage(0, {
        cmd: '_error',
        transId,
        cmdObj: null,
        info: { level: 'error', code: 'NetConnection.Connect.Rejected', description: `${error.code}: ${error.message}` },
      });
    } catch {
      // the peer is dropped either way
    }
  }
}
