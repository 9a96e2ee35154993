// A strict AMF0 walker (AMF0 specification, Adobe 2007) that checks a command or data message is a
// sequence of complete values, nested no deeper than a bound, before node-media-server's decoder
// sees it: that decoder reads past a truncated value into stale buffer bytes, recurses without a
// bound, and throws on unknown markers. Nothing is decoded here; the walk only measures.

const NUMBER = 0x00;
const BOOLEAN = 0x01;
const STRING = 0x02;
const OBJECT = 0x03;
const NULL = 0x05;
const UNDEFINED = 0x06;
const REFERENCE = 0x07;
const ECMA_ARRAY = 0x08;
const OBJECT_END = 0x09;
const STRICT_ARRAY = 0x0a;
const DATE = 0x0b;
const LONG_STRING = 0x0c;
const XML_DOCUMENT = 0x0f;
const TYPED_OBJECT = 0x10;

export const DEFAULT_AMF0_MAX_DEPTH = 16;

class Amf0Problem extends Error {}

/** Returns what is wrong with `buffer` as a sequence of AMF0 values, or undefined when it is well formed. */
export function checkAmf0(buffer: Buffer, maxDepth = DEFAULT_AMF0_MAX_DEPTH): string | undefined {
  if (buffer.length === 0) return 'empty AMF0 message';
  try {
    let offset = 0;
    while (offset < buffer.length) offset = value(buffer, offset, 0, maxDepth);
    return undefined;
  } catch (error) {
    if (error instanceof Amf0Problem) return error.message;
    throw error;
  }
}

function need(buffer: Buffer, offset: number, bytes: number): void {
  if (offset + bytes > buffer.length) throw new Amf0Problem(`AMF0 value truncated at byte ${offset} (${bytes} more bytes expected, ${buffer.length - offset} left)`);
}

/** Walks one value at `offset`; returns the offset after it. */
function value(buffer: Buffer, offset: number, depth: number, maxDepth: number): number {
  need(buffer, offset, 1);
  const marker = buffer[offset]!;
  const at = offset + 1;
  switch (marker) {
    case NUMBER:
      need(buffer, at, 8);
      return at + 8;
    case BOOLEAN:
      need(buffer, at, 1);
      return at + 1;
    case STRING:
      return utf8(buffer, at, 2);
    case LONG_STRING:
    case XML_DOCUMENT:
      return utf8(buffer, at, 4);
    case NULL:
    case UNDEFINED:
      return at;
    case REFERENCE:
      need(buffer, at, 2);
      return at + 2;
    case DATE:
      need(buffer, at, 10);
      return at + 10;
    case OBJECT:
      return properties(buffer, at, depth + 1, maxDepth);
    case TYPED_OBJECT:
      return properties(buffer, utf8(buffer, at, 2), depth + 1, maxDepth);
    case ECMA_ARRAY:
      need(buffer, at, 4);
      return properties(buffer, at + 4, depth + 1, maxDepth);
    case STRICT_ARRAY: {
      need(buffer, at, 4);
      const count = buffer.readUInt32BE(at);
      if (depth + 1 > maxDepth) throw new Amf0Problem(`AMF0 nested deeper than ${maxDepth}`);
      // each element takes at least one byte: a count beyond what is left is a lie
      if (count > buffer.length - at - 4) throw new Amf0Problem(`AMF0 strict array of ${count} elements in ${buffer.length - at - 4} bytes`);
      let next = at + 4;
      for (let i = 0; i < count; i++) next = value(buffer, next, depth + 1, maxDepth);
      return next;
    }
    default:
      throw new Amf0Problem(`unsupported AMF0 marker 0x${marker.toString(16).padStart(2, '0')} at byte ${offset}`);
  }
}

function utf8(buffer: Buffer, offset: number, lengthBytes: 2 | 4): number {
  need(buffer, offset, lengthBytes);
  const length = lengthBytes === 2 ? buffer.readUInt16BE(offset) : buffer.readUInt32BE(offset);
  need(buffer, offset + lengthBytes, length);
  return offset + lengthBytes + length;
}

/** Name/value pairs up to the empty name and the object-end marker. */
function properties(buffer: Buffer, offset: number, depth: number, maxDepth: number): number {
  if (depth > maxDepth) throw new Amf0Problem(`AMF0 nested deeper than ${maxDepth}`);
  let next = offset;
  for (;;) {
    need(buffer, next, 2);
    const nameLength = buffer.readUInt16BE(next);
    if (nameLength === 0) {
      need(buffer, next + 2, 1);
      if (buffer[next + 2] !== OBJECT_END) throw new Amf0Problem(`AMF0 object without its end marker at byte ${next + 2}`);
      return next + 3;
    }
    next = utf8(buffer, next, 2);
    next = value(buffer, next, depth, maxDepth);
  }
}
