// Types for the parts of node-media-server 4.4.3 (pinned, CommonJS, no types of its own) that the
// origin adapter uses. The adapter drives NMS's session, broadcast and protocol classes directly and
// owns the listeners itself, so these describe internals: re-check them on any version change.

declare module 'node-media-server/src/core/avpacket.js' {
  class AVPacket {
    codec_id: number;
    /** 8 audio, 9 video, 18 script data. */
    codec_type: number;
    /** 0 audio header, 1 audio frame, 2 video header, 3 key frame, 4 inter frame, 5 metadata. */
    flags: number;
    pts: number;
    dts: number;
    size: number;
    data: Buffer;
  }
  export default AVPacket;
}

declare module 'node-media-server/src/session/base_session.js' {
  class BaseSession {
    id: string;
    /** "address:port" of the peer; "" for internal sessions. */
    ip: string;
    isPublisher: boolean;
    protocol: 'rtmp' | 'flv' | string;
    streamHost: string;
    streamApp: string;
    streamName: string;
    streamPath: string;
    streamQuery: Record<string, string | string[] | undefined>;
    createTime: number;
    endTime: number;
    videoCodec: number;
    videoWidth: number;
    videoHeight: number;
    videoFramerate: number;
    audioCodec: number;
    audioSamplerate: number;
    audioChannels: number;
    inBytes: number;
    outBytes: number;
    playCount: number;
    sendBuffer: (buffer: Buffer) => void;
    close: () => void;
  }
  export default BaseSession;
}

declare module 'node-media-server/src/server/broadcast_server.js' {
  import type BaseSession from 'node-media-server/src/session/base_session.js';
  import type AVPacket from 'node-media-server/src/core/avpacket.js';
  class BroadcastServer {
    constructor(streamPath: string);
    streamPath: string;
    publisher: BaseSession | null;
    subscribers: Map<string, BaseSession>;
    publishGraceMs: number;
    /** The 13-byte FLV file header sent first to each HTTP/WS-FLV player. */
    flvHeader: Buffer;
    postPlay: (session: BaseSession) => string | null;
    donePlay: (session: BaseSession) => void;
    postPublish: (session: BaseSession) => string | null;
    donePublish: (session: BaseSession) => void;
    broadcastMessage: (packet: AVPacket) => void;
    _finishPublish: () => void;
  }
  export default BroadcastServer;
}

declare module 'node-media-server/src/protocol/rtmp.js' {
  import type AVPacket from 'node-media-server/src/core/avpacket.js';
  interface InvokeMessage {
    cmd: string;
    transId?: number;
    cmdObj?: Record<string, unknown> | null;
    streamName?: string;
    [key: string]: unknown;
  }
  class Rtmp {
    streamApp: string;
    streamName: string;
    streamId: number;
    connectCmdObj: Record<string, unknown> | undefined;
    parserPacket: { header: { stream_id: number; type: number; length: number }; payload: Buffer };
    /** 0 before C0, 1 reading C1, 2 reading C2, 3 done. */
    handshakeState: number;
    /** Chunk streams seen on this connection, by chunk stream id. */
    inPackets: Map<number, unknown>;
    /** Reads the chunk's message header (timestamp, length, type, stream id); returns the offset after it. */
    chunkMessageHeaderRead(): number;
    /** Decodes an AMF0 command message and dispatches it (connect, createStream, publish, play, …). */
    invokeHandler(): void;
    /** Protocol control messages (set chunk size, window ack size, …). */
    controlHandler(): void;
    /** The AMF0 `connect` command. */
    onConnect(invokeMessage: InvokeMessage): void;
    onConnectCallback: (req: { app: string; name: string; host: string; query: Record<string, unknown> }) => void;
    onPlayCallback: () => void;
    onPushCallback: () => void;
    onPacketCallback: (packet: AVPacket) => void;
    onOutputCallback: (buffer: Buffer) => void;
    parserData(buffer: Buffer): string | null;
    onPublish(invokeMessage: InvokeMessage): void;
    onPlay(invokeMessage: InvokeMessage): void;
    sendStatusMessage(streamId: number, level: string, code: string, description: string): void;
    sendInvokeMessage(streamId: number, opt: Record<string, unknown>): void;
    static createMessage(packet: AVPacket): Buffer;
  }
  export type { InvokeMessage };
  export default Rtmp;
}

declare module 'node-media-server/src/session/rtmp_session.js' {
  import type { Socket } from 'node:net';
  import type AVPacket from 'node-media-server/src/core/avpacket.js';
  import BaseSession from 'node-media-server/src/session/base_session.js';
  import type BroadcastServer from 'node-media-server/src/server/broadcast_server.js';
  import type Rtmp from 'node-media-server/src/protocol/rtmp.js';
  class RtmpSession extends BaseSession {
    constructor(socket: Socket);
    socket: Socket;
    rtmp: Rtmp;
    broadcast: BroadcastServer;
    run: () => void;
    onData: (data: Buffer) => void;
    /** Hands a parsed media/data message to the session's broadcast. */
    onPacket: (packet: AVPacket) => void;
    onClose: () => void;
  }
  export default RtmpSession;
}

declare module 'node-media-server/src/session/flv_session.js' {
  import type { IncomingMessage, ServerResponse } from 'node:http';
  import type { WebSocket } from 'ws';
  import BaseSession from 'node-media-server/src/session/base_session.js';
  import type BroadcastServer from 'node-media-server/src/server/broadcast_server.js';
  /**
   * For HTTP the request must carry express-style `params` {app, name}, `query` and `hostname`;
   * for WebSocket the app and name are parsed from `req.url`.
   */
  class FlvSession extends BaseSession {
    constructor(req: IncomingMessage, res: ServerResponse | WebSocket);
    req: IncomingMessage;
    res: ServerResponse | WebSocket;
    broadcast: BroadcastServer;
    run: () => void;
    /** Bytes or WebSocket messages from the peer: NMS parses them as an FLV publish. */
    onData: (data: Buffer) => void;
    onClose: () => void;
  }
  export default FlvSession;
}

declare module 'node-media-server/src/core/context.js' {
  import type { EventEmitter } from 'node:events';
  import type BaseSession from 'node-media-server/src/session/base_session.js';
  import type BroadcastServer from 'node-media-server/src/server/broadcast_server.js';
  /** Process-global state shared by every NMS class (pitfall 3). */
  const Context: {
    config: Record<string, unknown>;
    sessions: Map<string, BaseSession>;
    broadcasts: Map<string, BroadcastServer>;
    eventEmitter: EventEmitter;
    networkStats: { inBytes: number; outBytes: number };
  };
  export default Context;
}

declare module 'node-media-server/src/core/logger.js' {
  /** A process-global singleton that prints with console.log (pitfall 9). */
  const logger: {
    level: string;
    log(message: string, level?: string): void;
  };
  export default logger;
}

declare module 'node-media-server/src/protocol/amf.js' {
  const amf: {
    encodeAmf0Cmd(opt: Record<string, unknown>): Buffer;
    decodeAmf0Cmd(buffer: Buffer): Record<string, unknown> & { cmd?: string };
    encodeAmf0Data(opt: Record<string, unknown>): Buffer;
    decodeAmf0Data(buffer: Buffer): Record<string, unknown> & { cmd?: string };
    amf0EncodeOne(value: unknown): Buffer;
  };
  export default amf;
}

declare module 'node-media-server/src/protocol/flv.js' {
  class Flv {
    static createHeader(hasAudio: boolean, hasVideo: boolean): Buffer;
  }
  export default Flv;
}
