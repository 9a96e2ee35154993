// The unit the mic capture hands to its sink: a fixed-length block of 48 kHz mono PCM.
// The StudioApi carries these to the engine's PCM input (s16le is what ffmpeg reads as `-f s16le`).

export const LINK_MIC_SAMPLE_RATE = 48_000;

export type PcmSampleFormat = 's16' | 'f32';

export interface PcmFrame {
  /** 0, 1, 2, … without holes for the life of one capture (gaps are filled with silent frames). */
  readonly seq: number;
  /** Index of the first sample since the capture started (seq × samplesPerFrame). */
  readonly sampleIndex: number;
  readonly sampleRate: typeof LINK_MIC_SAMPLE_RATE;
  readonly channels: 1;
  readonly format: PcmSampleFormat;
  /** Little-endian on every platform we ship (typed arrays use the host order; x86 and ARM are LE). */
  readonly data: Int16Array | Float32Array;
  /** True when the frame was filled because no microphone was delivering (device gap). */
  readonly gap: boolean;
}

export type PcmFrameSink = (frame: PcmFrame) => void;

/** Float [-1, 1] → s16 with clipping (the same rounding ffmpeg's flt→s16 uses: round half away). */
export function floatToInt16(input: Float32Array): Int16Array {
  const out = new Int16Array(input.length);
  for (let i = 0; i < input.length; i += 1) {
    const v = input[i] as number;
    const clipped = v >= 1 ? 1 : v <= -1 ? -1 : Number.isNaN(v) ? 0 : v;
    out[i] = Math.round(clipped * 32767);
  }
  return out;
}

/** The bytes of a frame's samples, for a binary transport. */
export function frameBytes(frame: PcmFrame): Uint8Array {
  return new Uint8Array(frame.data.buffer, frame.data.byteOffset, frame.data.byteLength);
}
