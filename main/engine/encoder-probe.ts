// Picks the H.264 encoder: hardware first, each proven by a short trial encode (being listed by
// `ffmpeg -encoders` does not mean the GPU, driver or library is there), libx264 as the fallback.
import { BIG_HOST_PRESET, type EncoderSettings } from '../../common/presets';
import { SOFTWARE_ENCODER } from '../../common/encoder-kinds';
import { LinkMicError } from '../../common/errors';
import { encoderArgs, hardwareEncoderOrder, type EncoderArgsOptions, type VideoEncoder } from './encoder-args';
import { runFfmpeg } from '../../node/ffmpeg/ffmpeg-process';
import type { FfmpegInfo } from './ffmpeg-locator';
import type { Logger } from '../../node/logger';

export interface EncoderTrial {
  readonly encoder: VideoEncoder;
  readonly ok: boolean;
  /** Why it was rejected: ffmpeg's own error line, or "not built into this ffmpeg". */
  readonly reason?: string;
}

export interface EncoderSelection {
  readonly encoder: VideoEncoder;
  readonly hardware: boolean;
  /** Why this one: e.g. "h264_nvenc passed a trial encode" or "no hardware encoder passed a trial encode". */
  readonly why: string;
  /** Every encoder tried or skipped, in order, ending with the chosen one. */
  readonly trials: readonly EncoderTrial[];
}

export interface EncoderProbeOptions {
  readonly platform?: NodeJS.Platform;
  /** Skip hardware (the user turned hardware encoding off). */
  readonly hardware?: boolean;
  /** Encoders to try instead of the OS order (tests, diagnostics). */
  readonly candidates?: readonly VideoEncoder[];
  readonly encoderOptions?: EncoderArgsOptions;
  readonly timeoutMs?: number;
}

/** The trial: five frames of a small test pattern through the encoder with its real options, to null. */
export function trialArgs(encoder: VideoEncoder, options: EncoderArgsOptions = {}): string[] {
  const settings: EncoderSettings = { ...BIG_HOST_PRESET, width: 256, height: 256 };
  const args = encoderArgs(encoder, settings, options);
  return [
    '-loglevel', 'error',
    '-nostdin',
    ...args.global,
    '-f', 'lavfi', '-i', `testsrc2=size=${settings.width}x${settings.height}:rate=${settings.fps}`,
    '-frames:v', '5',
    '-vf', args.filterTail,
    ...args.output,
    '-f', 'null', '-',
  ];
}

export async function tryEncoder(ffmpeg: FfmpegInfo, encoder: VideoEncoder, logger: Logger, options: EncoderProbeOptions = {}): Promise<EncoderTrial> {
  if (!ffmpeg.encoders.includes(encoder)) return { encoder, ok: false, reason: `not built into this ffmpeg (${ffmpeg.version})` };
  const result = await runFfmpeg(ffmpeg.path, trialArgs(encoder, options.encoderOptions), logger, {
    name: `probe:${encoder}`,
    timeoutMs: options.timeoutMs ?? 15_000,
  });
  if (result.code === 0) return { encoder, ok: true };
  const reason = result.errorLine || `trial encode failed (${result.signal ? `signal ${result.signal}` : `exit code ${result.code}`})`;
  return { encoder, ok: false, reason };
}

export async function selectEncoder(ffmpeg: FfmpegInfo, logger: Logger, options: EncoderProbeOptions = {}): Promise<EncoderSelection> {
  const trials: EncoderTrial[] = [];
  const order = options.candidates ?? (options.hardware === false ? [] : hardwareEncoderOrder(options.platform ?? process.platform));
  for (const encoder of order) {
    if (encoder === SOFTWARE_ENCODER) continue;
    const trial = await tryEncoder(ffmpeg, encoder, logger, options);
    trials.push(trial);
    logger.info({ encoder, ok: trial.ok, reason: trial.reason }, 'encoder trial');
    if (trial.ok) return { encoder, hardware: true, why: `${encoder} passed a trial encode`, trials };
  }
  const fallback = await tryEncoder(ffmpeg, SOFTWARE_ENCODER, logger, options);
  trials.push(fallback);
  if (!fallback.ok) {
    throw new LinkMicError(
      'FFMPEG_UNUSABLE',
      `No H.264 encoder works in ffmpeg ${ffmpeg.version} (${trials.map((t) => `${t.encoder}: ${t.reason}`).join('; ')}). Install an ffmpeg build with libx264.`,
    );
  }
  const why =
    options.hardware === false
      ? 'hardware encoding is turned off'
      : order.length === 0
        ? 'no hardware encoder is known for this OS'
        : 'no hardware encoder passed a trial encode';
  return { encoder: SOFTWARE_ENCODER, hardware: false, why, trials };
}
