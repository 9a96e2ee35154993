// Parses an incoming RTMP chunk stream into complete messages. The peer is untrusted: every
// malformed input ends in an RtmpChunkError (never a RangeError out of a Buffer read), and memory
// is bounded (chunk size, message length, number of chunk streams; payload bytes are kept only as
// they arrive, never allocated from a length field).
//
// Set Chunk Size (type 1) and Abort (type 2) act on the reader itself, at the byte where they end,
// because the chunks that follow them in the same read already use the new size; they are still
// returned so the caller can log them.
import { DEFAULT_CHUNK_SIZE, MAX_CHUNK_SIZE, MIN_CHUNK_SIZE, type RtmpMessage } from './rtmp-chunk-writer';

/** A message as read: the payload is a Buffer of its own (never a view of the caller's bytes). */
export interface RtmpReceivedMessage extends RtmpMessage {
  readonly payload: Buffer;
}

export class RtmpChunkError extends Error {
  override readonly name = 'RtmpChunkError';
}

export interface RtmpChunkReaderOptions {
  /** Largest message accepted (default and ceiling 16 MiB). */
  readonly maxMessageBytes?: number;
  /** Most chunk streams the peer may use (default 64). */
  readonly maxChunkStreams?: number;
}

export const TYPE_SET_CHUNK_SIZE = 1;
export const TYPE_ABORT = 2;
const EXTENDED_TIMESTAMP = 0xffffff;
const MAX_HEADER_BYTES = 3 + 11 + 4;
const MESSAGE_HEADER_LENGTH: readonly number[] = [11, 7, 3, 0];

interface ChunkStreamState {
  timestamp: number;
  /** Delta that a type-3 header starting a new message adds (0 after a type-0 header). */
  delta: number;
  length: number;
  typeId: number;
  streamId: number;
  /** The last type 0/1/2 header carried an extended timestamp, so type-3 chunks carry one too. */
  extended: boolean;
  /** The message being assembled; undefined between messages. */
  pieces: Buffer[] | undefined;
  received: number;
}

export class RtmpChunkReader {
  private size = DEFAULT_CHUNK_SIZE;
  private readonly maxMessageBytes: number;
  private readonly maxChunkStreams: number;
  private readonly streams = new Map<number, ChunkStreamState>();
  /** Bytes of a chunk header split across reads. */
  private headerPart: Buffer = Buffer.alloc(0);
  /** The chunk whose payload is being read, and how many of its payload bytes are still due. */
  private current: ChunkStreamState | undefined;
  private currentId = 0;
  private chunkRemaining = 0;

  constructor(options: RtmpChunkReaderOptions = {}) {
    this.maxMessageBytes = Math.min(options.maxMessageBytes ?? MAX_CHUNK_SIZE, MAX_CHUNK_SIZE);
    this.maxChunkStreams = options.maxChunkStreams ?? 64;
  }

  get chunkSize(): number {
    return this.size;
  }

  /** Feeds bytes as they arrive; returns the messages they complete, in order. */
  push(data: Uint8Array): RtmpReceivedMessage[] {
    const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    const messages: RtmpReceivedMessage[] = [];
    let offset = 0;
    while (offset < bytes.length) {
      if (this.current === undefined) {
        const wanted = MAX_HEADER_BYTES - this.headerPart.length;
        const candidate = Buffer.concat([this.headerPart, bytes.subarray(offset, offset + wanted)]);
        const used = this.readHeader(candidate, messages);
        if (used === undefined) {
          this.headerPart = candidate;
          offset = Math.min(bytes.length, offset + wanted);
          continue;
        }
        offset += used - this.headerPart.length;
        this.headerPart = Buffer.alloc(0);
        continue;
      }
      const state = this.current;
      const take = Math.min(this.chunkRemaining, bytes.length - offset);
      // Copied: the caller may reuse its buffer after push() returns.
      state.pieces?.push(Buffer.from(bytes.subarray(offset, offset + take)));
      state.received += take;
      this.chunkRemaining -= take;
      offset += take;
      if (this.chunkRemaining === 0) this.endChunk(messages);
    }
    return messages;
  }

  /** Parses one chunk header from the start of `buf`; its length, or undefined if incomplete. */
  private readHeader(buf: Buffer, messages: RtmpReceivedMessage[]): number | undefined {
    if (buf.length < 1) return undefined;
    const first = buf[0]!;
    const fmt = first >> 6;
    let chunkStreamId = first & 0x3f;
    let pos = 1;
    if (chunkStreamId === 0) {
      if (buf.length < 2) return undefined;
      chunkStreamId = 64 + buf[1]!;
      pos = 2;
    } else if (chunkStreamId === 1) {
      if (buf.length < 3) return undefined;
      chunkStreamId = 64 + buf[1]! + buf[2]! * 256;
      pos = 3;
    }
    const headerLength = MESSAGE_HEADER_LENGTH[fmt] ?? 0;
    if (buf.length < pos + headerLength) return undefined;

    let state = this.streams.get(chunkStreamId);
    if (state === undefined) {
      if (fmt !== 0) throw new RtmpChunkError(`a type-${fmt} chunk header on chunk stream ${chunkStreamId}, which has no previous header`);
      if (this.streams.size >= this.maxChunkStreams) throw new RtmpChunkError(`more than ${this.maxChunkStreams} chunk streams`);
    }
    const continuing = state?.pieces !== undefined;
    if (continuing && fmt !== 3) throw new RtmpChunkError(`a type-${fmt} chunk header in the middle of a message on chunk stream ${chunkStreamId}`);

    let field = 0;
    let length = state?.length ?? 0;
    let typeId = state?.typeId ?? 0;
    let streamId = state?.streamId ?? 0;
    if (fmt <= 2) {
      field = buf.readUIntBE(pos, 3);
      if (fmt <= 1) {
        length = buf.readUIntBE(pos + 3, 3);
        typeId = buf[pos + 6]!;
      }
      if (fmt === 0) streamId = buf.readUInt32LE(pos + 7);
    }
    pos += headerLength;

    const extended = fmt <= 2 ? field === EXTENDED_TIMESTAMP : state!.extended;
    if (extended) {
      if (buf.length < pos + 4) return undefined;
      // On a continuation chunk the field repeats the message's timestamp: read past it.
      if (fmt <= 2) field = buf.readUInt32BE(pos);
      pos += 4;
    }
    if (length > this.maxMessageBytes) throw new RtmpChunkError(`a message of ${length} bytes is over the ${this.maxMessageBytes}-byte bound`);

    // Only now is the header complete: nothing above changed the reader's state.
    if (state === undefined) {
      state = { timestamp: 0, delta: 0, length: 0, typeId: 0, streamId: 0, extended: false, pieces: undefined, received: 0 };
      this.streams.set(chunkStreamId, state);
    }
    if (!continuing) {
      if (fmt === 0) {
        state.timestamp = field;
        state.delta = 0;
      } else {
        if (fmt !== 3) state.delta = field;
        state.timestamp = (state.timestamp + state.delta) >>> 0;
      }
      if (fmt <= 2) state.extended = extended;
      state.length = length;
      state.typeId = typeId;
      state.streamId = streamId;
      state.pieces = [];
      state.received = 0;
    }
    this.current = state;
    this.currentId = chunkStreamId;
    this.chunkRemaining = Math.min(this.size, state.length - state.received);
    if (this.chunkRemaining === 0) this.endChunk(messages);
    return pos;
  }

  private endChunk(messages: RtmpReceivedMessage[]): void {
    const state = this.current!;
    this.current = undefined;
    if (state.received < state.length) return;
    const payload = Buffer.concat(state.pieces ?? []);
    state.pieces = undefined;
    const message: RtmpReceivedMessage = {
      chunkStreamId: this.currentId,
      typeId: state.typeId,
      streamId: state.streamId,
      timestamp: state.timestamp,
      payload,
    };
    if (message.typeId === TYPE_SET_CHUNK_SIZE) this.applyChunkSize(payload);
    else if (message.typeId === TYPE_ABORT) this.applyAbort(payload);
    messages.push(message);
  }

  private applyChunkSize(payload: Buffer): void {
    if (payload.length < 4) throw new RtmpChunkError(`a Set Chunk Size message of ${payload.length} bytes`);
    const size = payload.readUInt32BE(0);
    if (size < MIN_CHUNK_SIZE || size > MAX_CHUNK_SIZE) throw new RtmpChunkError(`chunk size ${size} is outside ${MIN_CHUNK_SIZE}..${MAX_CHUNK_SIZE}`);
    this.size = size;
  }

  private applyAbort(payload: Buffer): void {
    if (payload.length < 4) throw new RtmpChunkError(`an Abort message of ${payload.length} bytes`);
    const target = this.streams.get(payload.readUInt32BE(0));
    if (target !== undefined) target.pieces = undefined;
  }
}
