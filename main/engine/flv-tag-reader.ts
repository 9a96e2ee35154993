// Splits an FLV byte stream (an encoder's output pipe) into tags as they complete, without decoding
// them: the split push forwards each tag body to the RTMP server as it is.

export interface FlvTag {
  /** 8 audio, 9 video, 18 script data. */
  readonly type: number;
  /** FLV timestamp in ms (32 bits with the extension byte). */
  readonly timestamp: number;
  readonly body: Buffer;
}

/** Largest tag body an encoder of ours writes is far below this: anything bigger is a broken pipe. */
const MAX_TAG_SIZE = 8 * 1024 * 1024;
const TAG_HEADER = 11;
const PREVIOUS_TAG_SIZE = 4;

export class FlvStreamError extends Error {
  readonly code = 'FLV_MALFORMED';
}

export class FlvTagReader {
  private buffer: Buffer = Buffer.alloc(0);
  private headerDone = false;

  /** Appends bytes; returns every tag they complete. Throws FlvStreamError on a stream that is not FLV. */
  push(chunk: Buffer): FlvTag[] {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const tags: FlvTag[] = [];
    let offset = 0;
    if (!this.headerDone) {
      if (this.buffer.length < 9) return tags;
      if (this.buffer.toString('latin1', 0, 3) !== 'FLV') throw new FlvStreamError('the encoder output is not FLV');
      const headerSize = this.buffer.readUInt32BE(5);
      if (headerSize < 9 || headerSize > 1024) throw new FlvStreamError(`FLV header size ${headerSize}`);
      if (this.buffer.length < headerSize + PREVIOUS_TAG_SIZE) return tags;
      offset = headerSize + PREVIOUS_TAG_SIZE;
      this.headerDone = true;
    }
    while (this.buffer.length - offset >= TAG_HEADER) {
      const type = this.buffer[offset]! & 0x1f;
      const size = this.buffer.readUIntBE(offset + 1, 3);
      if (size > MAX_TAG_SIZE) throw new FlvStreamError(`FLV tag of ${size} bytes`);
      if (this.buffer.length - offset < TAG_HEADER + size + PREVIOUS_TAG_SIZE) break;
      const timestamp = (this.buffer.readUIntBE(offset + 4, 3) | (this.buffer[offset + 7]! << 24)) >>> 0;
      tags.push({ type, timestamp, body: Buffer.from(this.buffer.subarray(offset + TAG_HEADER, offset + TAG_HEADER + size)) });
      offset += TAG_HEADER + size + PREVIOUS_TAG_SIZE;
    }
    this.buffer = offset === 0 ? this.buffer : Buffer.from(this.buffer.subarray(offset));
    return tags;
  }
}
