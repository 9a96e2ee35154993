import { describe, expect, it } from 'vitest';
import { AUDIENCE_PLAYER_PRESET, BIG_HOST_PRESET, LINK_PLAYER_PRESET, SMALL_HOST_PRESET, encoderPresetFor, encoderSettingsSchema } from '../presets';

describe('role presets (spec §2)', () => {
  it('gives the big host 360x640 at 800 kbps and the small host 320x480 at 300 kbps', () => {
    expect(encoderPresetFor('big')).toMatchObject({ width: 360, height: 640, videoBitrateKbps: 800 });
    expect(encoderPresetFor('small')).toMatchObject({ width: 320, height: 480, videoBitrateKbps: 300 });
  });

  it('uses 48 kHz mono AAC with AEC and hardware encode on for both hosts', () => {
    for (const preset of [BIG_HOST_PRESET, SMALL_HOST_PRESET]) {
      expect(preset).toMatchObject({ audioSampleRate: 48_000, audioChannels: 1, enableAEC: true, hardwareEncode: true, gopSeconds: 1 });
      expect(encoderSettingsSchema.parse(preset)).toEqual(preset);
    }
  });

  it('refuses custom settings with another sample rate or an odd size', () => {
    expect(encoderSettingsSchema.safeParse({ ...BIG_HOST_PRESET, audioSampleRate: 44_100 }).success).toBe(false);
    const odd = encoderSettingsSchema.safeParse({ ...BIG_HOST_PRESET, width: 361 });
    expect(odd.success).toBe(false);
    expect(odd.error?.issues[0]?.path).toEqual(['width']);
  });

  it('holds 200 ms between hosts with AEC and 1 s for the audience without', () => {
    expect(LINK_PLAYER_PRESET).toEqual({ targetBufferSec: 0.2, maxBufferSec: 0.2, enableAEC: true });
    expect(AUDIENCE_PLAYER_PRESET).toEqual({ targetBufferSec: 1, maxBufferSec: 1, enableAEC: false });
  });
});
