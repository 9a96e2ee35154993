// AMF0 encoding for the RTMP publisher's commands and metadata. Decoding stays in
// common/media/amf0.ts (the FLV demuxer needs it in the browser too).
//
// A plain object encodes as an AMF0 object, an array as a strict array; metadata must be an ECMA
// array (ffmpeg and OBS send one, some CDNs read nothing else), hence the explicit wrapper.

export type Amf0Value = number | boolean | string | null | undefined | Amf0EcmaArray | readonly Amf0Value[] | Amf0Object;
export interface Amf0Object {
  readonly [key: string]: Amf0Value;
}

/** Marks a record to be encoded as an ECMA array (marker 8) rather than an object. */
export class Amf0EcmaArray {
  constructor(readonly entries: Amf0Object) {}
}

const MARKER_NUMBER = 0x00;
const MARKER_BOOLEAN = 0x01;
const MARKER_STRING = 0x02;
const MARKER_OBJECT = 0x03;
const MARKER_NULL = 0x05;
const MARKER_UNDEFINED = 0x06;
const MARKER_ECMA_ARRAY = 0x08;
const MARKER_OBJECT_END = 0x09;
const MARKER_STRICT_ARRAY = 0x0a;
const MARKER_LONG_STRING = 0x0c;
const MAX_SHORT_STRING = 0xffff;
const MAX_NESTING = 64;

/** Encodes `values` one after the other, as a command or data message body carries them. */
export function encodeAmf0(...values: readonly Amf0Value[]): Buffer {
  const parts: Buffer[] = [];
  for (const value of values) writeValue(parts, value, 0);
  return Buffer.concat(parts);
}

function writeValue(parts: Buffer[], value: Amf0Value, depth: number): void {
  if (depth > MAX_NESTING) throw new RangeError(`AMF0 value nested deeper than ${MAX_NESTING}`);
  if (value === null) {
    parts.push(Buffer.of(MARKER_NULL));
  } else if (value === undefined) {
    parts.push(Buffer.of(MARKER_UNDEFINED));
  } else if (typeof value === 'number') {
    const out = Buffer.alloc(9);
    out[0] = MARKER_NUMBER;
    out.writeDoubleBE(value, 1);
    parts.push(out);
  } else if (typeof value === 'boolean') {
    parts.push(Buffer.of(MARKER_BOOLEAN, value ? 1 : 0));
  } else if (typeof value === 'string') {
    const text = Buffer.from(value, 'utf8');
    if (text.length > MAX_SHORT_STRING) {
      const header = Buffer.alloc(5);
      header[0] = MARKER_LONG_STRING;
      header.writeUInt32BE(text.length, 1);
      parts.push(header, text);
    } else {
      parts.push(Buffer.of(MARKER_STRING, text.length >> 8, text.length & 0xff), text);
    }
  } else if (value instanceof Amf0EcmaArray) {
    const entries = Object.entries(value.entries);
    const header = Buffer.alloc(5);
    header[0] = MARKER_ECMA_ARRAY;
    header.writeUInt32BE(entries.length, 1);
    parts.push(header);
    writeProperties(parts, entries, depth);
  } else if (isArray(value)) {
    const header = Buffer.alloc(5);
    header[0] = MARKER_STRICT_ARRAY;
    header.writeUInt32BE(value.length, 1);
    parts.push(header);
    for (const item of value) writeValue(parts, item, depth + 1);
  } else {
    parts.push(Buffer.of(MARKER_OBJECT));
    writeProperties(parts, Object.entries(value), depth);
  }
}

function writeProperties(parts: Buffer[], entries: ReadonlyArray<readonly [string, Amf0Value]>, depth: number): void {
  for (const [key, item] of entries) {
    const name = Buffer.from(key, 'utf8');
    // An empty key would read as the object-end marker; a key has no long form.
    if (name.length === 0 || name.length > MAX_SHORT_STRING) throw new RangeError(`AMF0 property name of ${name.length} bytes`);
    parts.push(Buffer.of(name.length >> 8, name.length & 0xff), name);
    writeValue(parts, item, depth + 1);
  }
  parts.push(Buffer.of(0, 0, MARKER_OBJECT_END));
}

function isArray(value: Amf0Value): value is readonly Amf0Value[] {
  return Array.isArray(value);
}
