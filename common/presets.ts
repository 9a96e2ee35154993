// Encoder/player presets per link-mic role (spec §2). 48 kHz mono AAC is mandatory for link-mic.
import { z } from 'zod';

export const ROLES = ['big', 'small', 'audience'] as const;
export type Role = (typeof ROLES)[number];

export const AUDIO_SAMPLE_RATE = 48_000;

export const encoderSettingsSchema = z.object({
  width: z.number().int().min(16).max(4096).multipleOf(2),
  height: z.number().int().min(16).max(4096).multipleOf(2),
  fps: z.number().int().min(1).max(120),
  videoBitrateKbps: z.number().int().min(50).max(50_000),
  /** Keyframe interval in seconds (GOP ≈ 1 s for link-mic). */
  gopSeconds: z.number().min(0.25).max(10),
  audioSampleRate: z.literal(AUDIO_SAMPLE_RATE),
  audioChannels: z.union([z.literal(1), z.literal(2)]),
  audioBitrateKbps: z.number().int().min(16).max(320),
  enableAEC: z.boolean(),
  hardwareEncode: z.boolean(),
});
export type EncoderSettings = z.infer<typeof encoderSettingsSchema>;

export interface PlayerPreset {
  /** Target buffer in seconds (the guide's cache time); latency correction keeps delay near it. */
  readonly targetBufferSec: number;
  /** Ceiling of the buffer in seconds; above it the player corrects. */
  readonly maxBufferSec: number;
  readonly enableAEC: boolean;
}

const COMMON_AUDIO = {
  audioSampleRate: AUDIO_SAMPLE_RATE,
  audioChannels: 1,
  audioBitrateKbps: 64,
  enableAEC: true,
  hardwareEncode: true,
} as const;

/** Big host (大主播, layer:b): 360x640 portrait, 800 kbps. */
export const BIG_HOST_PRESET: EncoderSettings = Object.freeze({
  width: 360,
  height: 640,
  fps: 15,
  videoBitrateKbps: 800,
  gopSeconds: 1,
  ...COMMON_AUDIO,
});

/** Small host (小主播, layer:s): 320x480, 300 kbps. */
export const SMALL_HOST_PRESET: EncoderSettings = Object.freeze({
  width: 320,
  height: 480,
  fps: 15,
  videoBitrateKbps: 300,
  gopSeconds: 1,
  ...COMMON_AUDIO,
});

/** Player between hosts: 200 ms cache with latency correction (min = max = 0.2 s), AEC on. */
export const LINK_PLAYER_PRESET: PlayerPreset = Object.freeze({ targetBufferSec: 0.2, maxBufferSec: 0.2, enableAEC: true });
/** Audience player: 1 s cache with latency correction, no AEC. */
export const AUDIENCE_PLAYER_PRESET: PlayerPreset = Object.freeze({ targetBufferSec: 1, maxBufferSec: 1, enableAEC: false });

export function encoderPresetFor(role: Exclude<Role, 'audience'>): EncoderSettings {
  return role === 'big' ? BIG_HOST_PRESET : SMALL_HOST_PRESET;
}
