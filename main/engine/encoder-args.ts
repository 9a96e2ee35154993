// Per-encoder low-latency H.264 options and the role preset's rate control.
import type { EncoderSettings } from '../../common/presets';

import type { HardwareEncoder, VideoEncoder } from '../../common/encoder-kinds';

export { HARDWARE_ENCODERS, type HardwareEncoder, type VideoEncoder } from '../../common/encoder-kinds';

/** Hardware encoders in the order that fits the OS (the first that works wins). */
export function hardwareEncoderOrder(platform: NodeJS.Platform): HardwareEncoder[] {
  switch (platform) {
    case 'win32':
      return ['h264_nvenc', 'h264_qsv', 'h264_amf', 'h264_mf'];
    case 'darwin':
      return ['h264_videotoolbox'];
    case 'linux':
      return ['h264_nvenc', 'h264_vaapi', 'h264_qsv'];
    default:
      return [];
  }
}

export interface EncoderArgs {
  /** Global options before the inputs (hardware device setup). */
  readonly global: string[];
  /** Filters appended to the video graph (pixel format, upload to the device). */
  readonly filterTail: string;
  /** `-c:v …` and its options. */
  readonly output: string[];
}

export interface EncoderArgsOptions {
  /** VAAPI render node. */
  readonly vaapiDevice?: string;
}

/** Rate control shared by every encoder: CBR-ish (maxrate = bitrate, 1 s buffer), GOP of `gopSeconds`. */
export function rateControlArgs(settings: EncoderSettings): string[] {
  const kbps = settings.videoBitrateKbps;
  const gop = Math.max(1, Math.round(settings.fps * settings.gopSeconds));
  return [
    '-b:v', `${kbps}k`,
    '-maxrate', `${kbps}k`,
    '-bufsize', `${kbps}k`,
    '-g', String(gop),
    '-keyint_min', String(gop),
    '-sc_threshold', '0',
    '-bf', '0',
  ];
}

export function encoderArgs(encoder: VideoEncoder, settings: EncoderSettings, options: EncoderArgsOptions = {}): EncoderArgs {
  const rate = rateControlArgs(settings);
  switch (encoder) {
    case 'libx264':
      return {
        global: [],
        filterTail: 'format=yuv420p',
        output: ['-c:v', 'libx264', '-preset', 'veryfast', '-tune', 'zerolatency', '-profile:v', 'main', ...rate, '-x264-params', 'force-cfr=1'],
      };
    case 'h264_nvenc':
      // p1..p7 presets and tune ull exist since ffmpeg 4.4 / SDK 10.
      return {
        global: [],
        filterTail: 'format=yuv420p',
        output: ['-c:v', 'h264_nvenc', '-preset', 'p2', '-tune', 'ull', '-rc', 'cbr', '-zerolatency', '1', '-delay', '0', ...rate],
      };
    case 'h264_qsv':
      return {
        global: [],
        filterTail: 'format=nv12',
        output: ['-c:v', 'h264_qsv', '-preset', 'veryfast', '-look_ahead', '0', '-async_depth', '1', '-low_power', '0', ...rate],
      };
    case 'h264_amf':
      return {
        global: [],
        filterTail: 'format=yuv420p',
        output: ['-c:v', 'h264_amf', '-usage', 'ultralowlatency', '-quality', 'speed', '-rc', 'cbr', ...rate],
      };
    case 'h264_videotoolbox':
      return {
        global: [],
        filterTail: 'format=yuv420p',
        output: ['-c:v', 'h264_videotoolbox', '-realtime', '1', '-allow_sw', '0', ...rate],
      };
    case 'h264_vaapi':
      return {
        global: ['-vaapi_device', options.vaapiDevice ?? '/dev/dri/renderD128'],
        filterTail: 'format=nv12,hwupload',
        output: ['-c:v', 'h264_vaapi', '-rc_mode', 'CBR', '-async_depth', '1', ...rate],
      };
    case 'h264_mf':
      return {
        global: [],
        filterTail: 'format=nv12',
        output: ['-c:v', 'h264_mf', '-hw_encoding', '1', '-rate_control', 'cbr', '-scenario', 'live_streaming', ...rate],
      };
  }
}

/** AAC at the link-mic rate (48 kHz, mono per preset). */
export function audioEncoderArgs(settings: EncoderSettings): string[] {
  return ['-c:a', 'aac', '-b:a', `${settings.audioBitrateKbps}k`, '-ar', String(settings.audioSampleRate), '-ac', String(settings.audioChannels)];
}
