// AVCDecoderConfigurationRecord (ISO/IEC 14496-15 "avcC"), as carried by an FLV AVC sequence
// header: the WebCodecs codec string (`avc1.PPCCLL`), the record itself as the decoder's
// `description`, and the picture size read from the first SPS.
import { LinkMicError } from '../errors';

export interface AvcConfig {
  /** e.g. `avc1.64001e` (profile, constraint flags, level as hex). */
  readonly codec: string;
  /** The avcC record, to pass as VideoDecoderConfig.description. */
  readonly description: Uint8Array;
  readonly profile: number;
  readonly level: number;
  /** Size of the NAL length prefix in bytes (1, 2 or 4). */
  readonly nalLengthSize: number;
  readonly codedWidth: number;
  readonly codedHeight: number;
}

export function parseAvcDecoderConfig(record: Uint8Array): AvcConfig {
  if (record.byteLength < 7 || record[0] !== 1) {
    throw new LinkMicError('INVALID_MESSAGE', 'AVC sequence header is not an avcC record (version 1)');
  }
  const profile = record[1] ?? 0;
  const compat = record[2] ?? 0;
  const level = record[3] ?? 0;
  const nalLengthSize = ((record[4] ?? 0) & 3) + 1;
  const spsCount = (record[5] ?? 0) & 0x1f;
  let size = { width: 0, height: 0 };
  if (spsCount > 0) {
    const spsLength = ((record[6] ?? 0) << 8) | (record[7] ?? 0);
    const sps = record.subarray(8, 8 + spsLength);
    if (sps.byteLength === spsLength) {
      try {
        size = parseSpsSize(sps);
      } catch {
        // The size is informative; WebCodecs reads it from the SPS itself.
      }
    }
  }
  return {
    codec: `avc1.${hex2(profile)}${hex2(compat)}${hex2(level)}`,
    description: record.slice(),
    profile,
    level,
    nalLengthSize,
    codedWidth: size.width,
    codedHeight: size.height,
  };
}

function hex2(value: number): string {
  return value.toString(16).padStart(2, '0');
}

/** Display size from an H.264 sequence parameter set (NAL header included). */
export function parseSpsSize(nal: Uint8Array): { width: number; height: number } {
  const r = new BitReader(removeEmulationPrevention(nal.subarray(1)));
  const profileIdc = r.bits(8);
  r.bits(16); // constraint flags + level
  r.ue(); // seq_parameter_set_id
  let chromaFormatIdc = 1;
  if ([100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135].includes(profileIdc)) {
    chromaFormatIdc = r.ue();
    if (chromaFormatIdc === 3) r.bits(1);
    r.ue(); // bit_depth_luma
    r.ue(); // bit_depth_chroma
    r.bits(1); // qpprime_y_zero_transform_bypass
    if (r.bits(1) === 1) {
      const lists = chromaFormatIdc === 3 ? 12 : 8;
      for (let i = 0; i < lists; i += 1) {
        if (r.bits(1) === 1) skipScalingList(r, i < 6 ? 16 : 64);
      }
    }
  }
  r.ue(); // log2_max_frame_num
  const pocType = r.ue();
  if (pocType === 0) r.ue();
  else if (pocType === 1) {
    r.bits(1);
    r.se();
    r.se();
    const n = r.ue();
    for (let i = 0; i < n; i += 1) r.se();
  }
  r.ue(); // max_num_ref_frames
  r.bits(1); // gaps_in_frame_num_allowed
  const widthMbs = r.ue() + 1;
  const heightMapUnits = r.ue() + 1;
  const frameMbsOnly = r.bits(1);
  if (frameMbsOnly === 0) r.bits(1);
  r.bits(1); // direct_8x8_inference
  let crop = { left: 0, right: 0, top: 0, bottom: 0 };
  if (r.bits(1) === 1) crop = { left: r.ue(), right: r.ue(), top: r.ue(), bottom: r.ue() };
  const cropUnitX = chromaFormatIdc === 0 || chromaFormatIdc === 3 ? 1 : 2;
  const cropUnitY = (chromaFormatIdc === 1 ? 2 : 1) * (2 - frameMbsOnly);
  return {
    width: widthMbs * 16 - (crop.left + crop.right) * cropUnitX,
    height: heightMapUnits * 16 * (2 - frameMbsOnly) - (crop.top + crop.bottom) * cropUnitY,
  };
}

function skipScalingList(r: BitReader, size: number): void {
  let last = 8;
  let next = 8;
  for (let j = 0; j < size; j += 1) {
    if (next !== 0) next = (last + r.se() + 256) % 256;
    last = next === 0 ? last : next;
  }
}

function removeEmulationPrevention(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.byteLength);
  let n = 0;
  let zeros = 0;
  for (const byte of bytes) {
    if (zeros >= 2 && byte === 3) {
      zeros = 0;
      continue;
    }
    out[n] = byte;
    n += 1;
    zeros = byte === 0 ? zeros + 1 : 0;
  }
  return out.subarray(0, n);
}

class BitReader {
  private pos = 0;
  constructor(private readonly bytes: Uint8Array) {}

  bits(count: number): number {
    let value = 0;
    for (let i = 0; i < count; i += 1) {
      const byte = this.bytes[this.pos >> 3];
      if (byte === undefined) throw new RangeError('SPS ended early');
      value = value * 2 + ((byte >> (7 - (this.pos & 7))) & 1);
      this.pos += 1;
    }
    return value;
  }

  ue(): number {
    let zeros = 0;
    while (this.bits(1) === 0) {
      zeros += 1;
      if (zeros > 31) throw new RangeError('bad exp-Golomb code');
    }
    return 2 ** zeros - 1 + this.bits(zeros);
  }

  se(): number {
    const k = this.ue();
    return k % 2 === 1 ? (k + 1) / 2 : -(k / 2);
  }
}
