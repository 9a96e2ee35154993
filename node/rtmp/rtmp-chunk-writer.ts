// Serializes RTMP messages into chunks of the current outgoing chunk size.
//
// Every message starts with a type-0 (full) header: a few bytes more per message than delta
// headers, but each message stands alone, so nothing depends on what was written before on its
// chunk stream (an ignored or dropped message can never corrupt the next one's timestamp).
// Continuation chunks use type 3 and repeat the extended timestamp, as the spec says and as
// ffmpeg, nginx-rtmp and node-media-server read it.

export interface RtmpMessage {
  /** 2..65599; 2 is reserved for protocol control messages. */
  readonly chunkStreamId: number;
  readonly typeId: number;
  readonly streamId: number;
  /** Milliseconds; taken modulo 2^32 (RTMP timestamps wrap). */
  readonly timestamp: number;
  readonly payload: Uint8Array;
}

export const DEFAULT_CHUNK_SIZE = 128;
/** Bounds this code accepts for a chunk size, either way (the spec allows up to 2^31-1). */
export const MIN_CHUNK_SIZE = 1;
export const MAX_CHUNK_SIZE = 16 * 1024 * 1024;
export const MAX_MESSAGE_LENGTH = 0xffffff;
export const MIN_CHUNK_STREAM_ID = 2;
export const MAX_CHUNK_STREAM_ID = 65599;
const EXTENDED_TIMESTAMP = 0xffffff;

export class RtmpChunkWriter {
  private size = DEFAULT_CHUNK_SIZE;

  get chunkSize(): number {
    return this.size;
  }

  /** Call right after writing the Set Chunk Size message that announces `size`. */
  setChunkSize(size: number): void {
    if (!Number.isInteger(size) || size < MIN_CHUNK_SIZE || size > MAX_CHUNK_SIZE) throw new RangeError(`chunk size ${size} is outside ${MIN_CHUNK_SIZE}..${MAX_CHUNK_SIZE}`);
    this.size = size;
  }

  /** All chunks of `message` in one buffer, so one socket write sends the whole message. */
  write(message: RtmpMessage): Buffer {
    const { chunkStreamId, typeId, streamId, payload } = message;
    if (!Number.isInteger(chunkStreamId) || chunkStreamId < MIN_CHUNK_STREAM_ID || chunkStreamId > MAX_CHUNK_STREAM_ID) {
      throw new RangeError(`chunk stream id ${chunkStreamId} is outside ${MIN_CHUNK_STREAM_ID}..${MAX_CHUNK_STREAM_ID}`);
    }
    if (!Number.isInteger(typeId) || typeId < 0 || typeId > 0xff) throw new RangeError(`message type ${typeId} is not a byte`);
    if (!Number.isInteger(streamId) || streamId < 0 || streamId > 0xffffffff) throw new RangeError(`message stream id ${streamId} is not a uint32`);
    if (payload.byteLength > MAX_MESSAGE_LENGTH) throw new RangeError(`a message of ${payload.byteLength} bytes is over the RTMP limit of ${MAX_MESSAGE_LENGTH}`);

    const timestamp = wrapTimestamp(message.timestamp);
    const extended = timestamp >= EXTENDED_TIMESTAMP;
    const basicLength = basicHeaderLength(chunkStreamId);
    const extendedLength = extended ? 4 : 0;
    const chunkCount = Math.max(1, Math.ceil(payload.byteLength / this.size));
    const total = basicLength + 11 + extendedLength + (chunkCount - 1) * (basicLength + extendedLength) + payload.byteLength;

    const out = Buffer.allocUnsafe(total);
    let offset = writeBasicHeader(out, 0, 0, chunkStreamId);
    out.writeUIntBE(extended ? EXTENDED_TIMESTAMP : timestamp, offset, 3);
    out.writeUIntBE(payload.byteLength, offset + 3, 3);
    out[offset + 6] = typeId;
    out.writeUInt32LE(streamId, offset + 7);
    offset += 11;
    if (extended) offset = out.writeUInt32BE(timestamp, offset);

    for (let start = 0; start < payload.byteLength; start += this.size) {
      if (start > 0) {
        offset = writeBasicHeader(out, offset, 3, chunkStreamId);
        if (extended) offset = out.writeUInt32BE(timestamp, offset);
      }
      const end = Math.min(start + this.size, payload.byteLength);
      out.set(payload.subarray(start, end), offset);
      offset += end - start;
    }
    return out;
  }
}

/** `ms` as an RTMP timestamp: an integer modulo 2^32 (negative values wrap too). */
export function wrapTimestamp(ms: number): number {
  if (!Number.isFinite(ms)) throw new RangeError(`timestamp ${ms} is not a finite number`);
  const wrapped = Math.floor(ms) % 0x1_0000_0000;
  return wrapped < 0 ? wrapped + 0x1_0000_0000 : wrapped;
}

function basicHeaderLength(chunkStreamId: number): number {
  if (chunkStreamId < 64) return 1;
  return chunkStreamId < 320 ? 2 : 3;
}

function writeBasicHeader(out: Buffer, offset: number, fmt: number, chunkStreamId: number): number {
  if (chunkStreamId < 64) {
    out[offset] = (fmt << 6) | chunkStreamId;
    return offset + 1;
  }
  const id = chunkStreamId - 64;
  if (chunkStreamId < 320) {
    out[offset] = fmt << 6;
    out[offset + 1] = id;
    return offset + 2;
  }
  out[offset] = (fmt << 6) | 1;
  // The 3-byte form is little endian: low byte first.
  out[offset + 1] = id & 0xff;
  out[offset + 2] = id >> 8;
  return offset + 3;
}
