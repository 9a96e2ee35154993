// The streamer's audio-processing switches (the guide's `enableAEC`) and what Chromium really
// applies, read back from `MediaStreamTrack.getSettings()`.

export interface AudioProcessingFlags {
  readonly echoCancellation: boolean;
  readonly noiseSuppression: boolean;
  readonly autoGainControl: boolean;
}

/** Link-mic default: everything on (the guide's presets set `enableAEC` for both hosts). */
export const LINK_MIC_PROCESSING: AudioProcessingFlags = { echoCancellation: true, noiseSuppression: true, autoGainControl: true };

/** Headphones or music: nothing touches the signal. */
export const RAW_PROCESSING: AudioProcessingFlags = { echoCancellation: false, noiseSuppression: false, autoGainControl: false };

/**
 * The guide's single `enableAEC` switch. Off means the streamer wants the raw signal (headphone
 * users, music streamers), so noise suppression and auto gain go off with it unless overridden.
 */
export function processingFromEnableAEC(enableAEC: boolean, overrides: Partial<AudioProcessingFlags> = {}): AudioProcessingFlags {
  return { ...(enableAEC ? LINK_MIC_PROCESSING : RAW_PROCESSING), ...overrides };
}

/** getUserMedia constraints for a device (null = the system default) with these flags. */
export function micConstraints(deviceId: string | null, flags: AudioProcessingFlags): MediaStreamConstraints {
  const audio: MediaTrackConstraints = {
    echoCancellation: flags.echoCancellation,
    noiseSuppression: flags.noiseSuppression,
    autoGainControl: flags.autoGainControl,
    channelCount: { ideal: 1 },
    sampleRate: { ideal: 48_000 },
  };
  if (deviceId !== null && deviceId !== 'default') audio.deviceId = { exact: deviceId };
  return { audio, video: false };
}

/** One switch as applied: true/false, or 'unknown' when the browser does not report it. */
export type AppliedFlag = boolean | 'unknown';

export interface ActiveProcessingReport {
  readonly requested: AudioProcessingFlags;
  readonly active: {
    readonly echoCancellation: AppliedFlag;
    readonly noiseSuppression: AppliedFlag;
    readonly autoGainControl: AppliedFlag;
  };
  /** Switches whose applied value differs from the request (shown as a warning in the console). */
  readonly mismatched: readonly (keyof AudioProcessingFlags)[];
  readonly deviceId: string;
  readonly groupId: string;
  readonly label: string;
  /** True when capturing the system default input (nothing chosen, or the choice fell back). */
  readonly isDefaultDevice: boolean;
  readonly trackSampleRate: number | null;
  readonly contextSampleRate: number;
}

/** Chromium reports echoCancellation as a boolean, or as 'all' / 'remote-only' / 'none' in newer builds. */
export function appliedFlag(value: unknown): AppliedFlag {
  if (typeof value === 'boolean') return value;
  if (value === 'all' || value === 'remote-only' || value === 'browser' || value === 'system') return true;
  if (value === 'none') return false;
  return 'unknown';
}

export function readActiveProcessing(
  track: Pick<MediaStreamTrack, 'getSettings' | 'label'>,
  requested: AudioProcessingFlags,
  contextSampleRate: number,
  isDefaultDevice: boolean,
): ActiveProcessingReport {
  const settings = track.getSettings() as MediaTrackSettings & Record<string, unknown>;
  const active = {
    echoCancellation: appliedFlag(settings.echoCancellation),
    noiseSuppression: appliedFlag(settings.noiseSuppression),
    autoGainControl: appliedFlag(settings.autoGainControl),
  };
  const mismatched = (Object.keys(active) as (keyof AudioProcessingFlags)[]).filter((key) => active[key] !== 'unknown' && active[key] !== requested[key]);
  return {
    requested,
    active,
    mismatched,
    deviceId: typeof settings.deviceId === 'string' ? settings.deviceId : '',
    groupId: typeof settings.groupId === 'string' ? settings.groupId : '',
    label: track.label,
    isDefaultDevice,
    trackSampleRate: typeof settings.sampleRate === 'number' ? settings.sampleRate : null,
    contextSampleRate,
  };
}
