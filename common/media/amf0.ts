// Minimal AMF0 decoder for FLV script tags (onMetaData): numbers, booleans, strings, objects,
// ECMA and strict arrays, null/undefined, dates. Enough to read metadata; never needed to play.

export function decodeAmf0Values(bytes: Uint8Array): unknown[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 0;

  const readString = (length: number): string => {
    if (pos + length > bytes.byteLength) throw new RangeError('AMF0 string past the end');
    const s = decodeUtf8(bytes.subarray(pos, pos + length));
    pos += length;
    return s;
  };
  const readProperties = (target: Record<string, unknown>): void => {
    for (;;) {
      const keyLength = view.getUint16(pos);
      pos += 2;
      if (keyLength === 0 && bytes[pos] === 9) {
        pos += 1;
        return;
      }
      const key = readString(keyLength);
      target[key] = readValue();
    }
  };
  const readValue = (): unknown => {
    const marker = view.getUint8(pos);
    pos += 1;
    switch (marker) {
      case 0: {
        const n = view.getFloat64(pos);
        pos += 8;
        return n;
      }
      case 1:
        pos += 1;
        return view.getUint8(pos - 1) !== 0;
      case 2: {
        const length = view.getUint16(pos);
        pos += 2;
        return readString(length);
      }
      case 3: {
        const obj: Record<string, unknown> = {};
        readProperties(obj);
        return obj;
      }
      case 5:
      case 6:
        return null;
      case 8: {
        pos += 4; // approximate count
        const obj: Record<string, unknown> = {};
        readProperties(obj);
        return obj;
      }
      case 10: {
        const count = view.getUint32(pos);
        pos += 4;
        const list: unknown[] = [];
        for (let i = 0; i < count; i += 1) list.push(readValue());
        return list;
      }
      case 11: {
        const ms = view.getFloat64(pos);
        pos += 10;
        return ms;
      }
      case 12: {
        const length = view.getUint32(pos);
        pos += 4;
        return readString(length);
      }
      default:
        throw new RangeError(`AMF0 marker ${marker} not supported`);
    }
  };

  const values: unknown[] = [];
  while (pos < bytes.byteLength) values.push(readValue());
  return values;
}

function decodeUtf8(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.byteLength; ) {
    const b = bytes[i] ?? 0;
    const extra = b >= 0xf0 ? 3 : b >= 0xe0 ? 2 : b >= 0xc0 ? 1 : 0;
    let code = extra === 0 ? b : b & (0x3f >> extra);
    for (let k = 1; k <= extra; k += 1) code = (code << 6) | ((bytes[i + k] ?? 0) & 0x3f);
    out += String.fromCodePoint(code);
    i += extra + 1;
  }
  return out;
}
