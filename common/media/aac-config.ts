// AAC AudioSpecificConfig (ISO/IEC 14496-3), as carried by an FLV AAC sequence header: the
// WebCodecs codec string (`mp4a.40.<objectType>`), sample rate and channel count, and the config
// itself as the AudioDecoder's `description`.
import { LinkMicError } from '../errors';

export interface AacConfig {
  /** e.g. `mp4a.40.2` for AAC-LC. */
  readonly codec: string;
  readonly objectType: number;
  readonly sampleRate: number;
  readonly channels: number;
  /** The AudioSpecificConfig bytes, to pass as AudioDecoderConfig.description. */
  readonly description: Uint8Array;
  /** PCM samples per access unit (1024 for AAC-LC). */
  readonly samplesPerFrame: number;
}

const SAMPLE_RATES = [96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350];

export function parseAudioSpecificConfig(bytes: Uint8Array): AacConfig {
  if (bytes.byteLength < 2) throw new LinkMicError('INVALID_MESSAGE', 'AAC sequence header too short');
  let bitPos = 0;
  const bits = (count: number): number => {
    let value = 0;
    for (let i = 0; i < count; i += 1) {
      const byte = bytes[bitPos >> 3];
      if (byte === undefined) throw new LinkMicError('INVALID_MESSAGE', 'AAC sequence header ended early');
      value = value * 2 + ((byte >> (7 - (bitPos & 7))) & 1);
      bitPos += 1;
    }
    return value;
  };
  let objectType = bits(5);
  if (objectType === 31) objectType = 32 + bits(6);
  const rateIndex = bits(4);
  const sampleRate = rateIndex === 15 ? bits(24) : SAMPLE_RATES[rateIndex];
  if (sampleRate === undefined || sampleRate === 0) {
    throw new LinkMicError('INVALID_MESSAGE', `AAC sampling frequency index ${rateIndex} is reserved`);
  }
  const channels = bits(4);
  return {
    codec: `mp4a.40.${objectType}`,
    objectType,
    sampleRate,
    channels: channels === 0 ? 2 : channels === 7 ? 8 : channels,
    description: bytes.slice(),
    samplesPerFrame: 1024,
  };
}
