// Incremental FLV demuxer (pure: no DOM, no Node). Feed it bytes as they arrive (HTTP-FLV chunks,
// WS-FLV messages) and it returns every complete tag at once, so a player can hand each frame to
// its decoder without waiting for the next one. Knows H.264 (AVC) video and AAC audio, the codecs
// an RTMP link-mic stream carries; other codecs are reported, not decoded.
import { LinkMicError } from '../errors';
import { parseAvcDecoderConfig, type AvcConfig } from './avc-config';
import { parseAudioSpecificConfig, type AacConfig } from './aac-config';
import { decodeAmf0Values } from './amf0';

export type FlvEvent =
  | { readonly kind: 'header'; readonly hasAudio: boolean; readonly hasVideo: boolean }
  | { readonly kind: 'metadata'; readonly name: string; readonly value: unknown }
  | { readonly kind: 'video-config'; readonly config: AvcConfig; readonly dts: number }
  | { readonly kind: 'audio-config'; readonly config: AacConfig; readonly dts: number }
  | FlvVideoFrame
  | FlvAudioFrame
  | { readonly kind: 'unsupported'; readonly what: string; readonly dts: number };

export interface FlvVideoFrame {
  readonly kind: 'video';
  /** Decode timestamp in ms (FLV timeline). */
  readonly dts: number;
  /** Presentation timestamp in ms (dts + composition time). */
  readonly pts: number;
  readonly keyframe: boolean;
  /** AVCC (length-prefixed) NAL units, as WebCodecs expects when given an avcC description. */
  readonly data: Uint8Array;
}

export interface FlvAudioFrame {
  readonly kind: 'audio';
  /** Timestamp in ms (FLV timeline). */
  readonly dts: number;
  /** One raw AAC access unit. */
  readonly data: Uint8Array;
}

const TAG_AUDIO = 8;
const TAG_VIDEO = 9;
const TAG_SCRIPT = 18;
const CODEC_AVC = 7;
const SOUND_AAC = 10;
/** Largest tag body we accept; anything bigger is a corrupt stream, not a frame. */
const MAX_TAG_SIZE = 16 * 1024 * 1024;

export class FlvDemuxer {
  private buffer: Uint8Array = new Uint8Array(0);
  private headerDone = false;
  private bytesTotal = 0;

  /** Bytes received so far (for bitrate statistics). */
  get bytesReceived(): number {
    return this.bytesTotal;
  }

  /** Appends bytes and returns the events of every tag completed by them. */
  push(chunk: Uint8Array): FlvEvent[] {
    this.bytesTotal += chunk.byteLength;
    this.append(chunk);
    const events: FlvEvent[] = [];
    let offset = 0;
    const buf = this.buffer;
    if (!this.headerDone) {
      if (buf.byteLength < 9) return events;
      if (buf[0] !== 0x46 || buf[1] !== 0x4c || buf[2] !== 0x56) {
        throw new LinkMicError('INVALID_MESSAGE', 'not an FLV stream (missing "FLV" signature)');
      }
      const flags = buf[4] ?? 0;
      const headerSize = readU32(buf, 5);
      if (buf.byteLength < headerSize + 4) return events;
      events.push({ kind: 'header', hasAudio: (flags & 4) !== 0, hasVideo: (flags & 1) !== 0 });
      offset = headerSize + 4; // header + PreviousTagSize0
      this.headerDone = true;
    }
    while (buf.byteLength - offset >= 11) {
      const type = (buf[offset] ?? 0) & 0x1f;
      const size = readU24(buf, offset + 1);
      if (size > MAX_TAG_SIZE) throw new LinkMicError('INVALID_MESSAGE', `FLV tag of ${size} bytes`);
      if (buf.byteLength - offset < 11 + size + 4) break;
      const timestamp = (readU24(buf, offset + 4) | ((buf[offset + 7] ?? 0) << 24)) >>> 0;
      const body = buf.subarray(offset + 11, offset + 11 + size);
      this.parseTag(type, timestamp, body, events);
      offset += 11 + size + 4;
    }
    this.buffer = offset === buf.byteLength ? new Uint8Array(0) : buf.slice(offset);
    return events;
  }

  /** Forgets everything (a new connection starts with a new FLV header). */
  reset(): void {
    this.buffer = new Uint8Array(0);
    this.headerDone = false;
  }

  private append(chunk: Uint8Array): void {
    if (this.buffer.byteLength === 0) {
      this.buffer = chunk;
      return;
    }
    const joined = new Uint8Array(this.buffer.byteLength + chunk.byteLength);
    joined.set(this.buffer, 0);
    joined.set(chunk, this.buffer.byteLength);
    this.buffer = joined;
  }

  private parseTag(type: number, dts: number, body: Uint8Array, events: FlvEvent[]): void {
    if (type === TAG_VIDEO) this.parseVideo(dts, body, events);
    else if (type === TAG_AUDIO) this.parseAudio(dts, body, events);
    else if (type === TAG_SCRIPT) {
      try {
        const values = decodeAmf0Values(body);
        const name = values[0];
        if (typeof name === 'string') events.push({ kind: 'metadata', name, value: values[1] });
      } catch {
        // Script data is informative only; a malformed one must not stop playback.
      }
    }
  }

  private parseVideo(dts: number, body: Uint8Array, events: FlvEvent[]): void {
    if (body.byteLength < 1) return;
    const head = body[0] ?? 0;
    if ((head & 0x80) !== 0) {
      events.push({ kind: 'unsupported', what: 'enhanced-rtmp video', dts });
      return;
    }
    const frameType = head >> 4;
    const codecId = head & 0x0f;
    if (codecId !== CODEC_AVC) {
      events.push({ kind: 'unsupported', what: `video codec ${codecId}`, dts });
      return;
    }
    if (body.byteLength < 5) return;
    const packetType = body[1];
    const cts = ((readU24(body, 2) << 8) >> 8); // signed 24-bit
    const payload = body.subarray(5);
    if (packetType === 0) {
      events.push({ kind: 'video-config', config: parseAvcDecoderConfig(payload), dts });
    } else if (packetType === 1 && payload.byteLength > 0) {
      // Copy out of the shared buffer: decoders may keep the bytes beyond this call.
      events.push({ kind: 'video', dts, pts: dts + cts, keyframe: frameType === 1, data: payload.slice() });
    }
  }

  private parseAudio(dts: number, body: Uint8Array, events: FlvEvent[]): void {
    if (body.byteLength < 2) return;
    const soundFormat = (body[0] ?? 0) >> 4;
    if (soundFormat !== SOUND_AAC) {
      events.push({ kind: 'unsupported', what: `audio format ${soundFormat}`, dts });
      return;
    }
    const payload = body.subarray(2);
    if (body[1] === 0) events.push({ kind: 'audio-config', config: parseAudioSpecificConfig(payload), dts });
    else if (payload.byteLength > 0) events.push({ kind: 'audio', dts, data: payload.slice() });
  }
}

function readU24(buf: Uint8Array, at: number): number {
  return ((buf[at] ?? 0) << 16) | ((buf[at + 1] ?? 0) << 8) | (buf[at + 2] ?? 0);
}

function readU32(buf: Uint8Array, at: number): number {
  return (((buf[at] ?? 0) << 24) | ((buf[at + 1] ?? 0) << 16) | ((buf[at + 2] ?? 0) << 8) | (buf[at + 3] ?? 0)) >>> 0;
}
