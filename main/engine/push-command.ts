// Builds the one ffmpeg command line of a push: inputs, the filter graph (fit to the preset size,
// camera over screen), the encoder with its low-latency options, AAC 48 kHz, FLV over RTMP.
import type { EncoderSettings } from '../../common/presets';
import { audioEncoderArgs, encoderArgs, type EncoderArgsOptions, type VideoEncoder } from './encoder-args';
import { audioInputArgs, videoInputArgs, type InputContext } from './input-args';
import type { OverlayPosition, SourceSetup } from './sources';

export const PCM_FD = 3;

export interface PushCommandOptions {
  readonly sources: SourceSetup;
  readonly settings: EncoderSettings;
  readonly encoder: VideoEncoder;
  /** Where to push (`rtmp://…`), or any ffmpeg output URL/file for diagnostics. */
  readonly url: string;
  readonly platform?: NodeJS.Platform;
  readonly encoderOptions?: EncoderArgsOptions;
  /** Extra filters after the fit/overlay step, before the encoder's pixel format (e.g. a drawtext clock). */
  readonly extraVideoFilter?: string;
  /** Output format (default flv). */
  readonly format?: string;
}

export interface PushCommand {
  readonly args: string[];
  /** Set when audio comes from the renderer: write PCM to this fd once ffmpeg has opened input `startAfterInput`. */
  readonly pcm?: { readonly fd: number; readonly format: 's16le' | 'f32le'; readonly startAfterInput: number };
  /** Number of ffmpeg inputs. */
  readonly inputCount: number;
}

function even(value: number): number {
  return Math.max(2, Math.round(value / 2) * 2);
}

function overlayXY(position: OverlayPosition, margin: number): string {
  const x = position.endsWith('right') ? `W-w-${margin}` : String(margin);
  const y = position.startsWith('bottom') ? `H-h-${margin}` : String(margin);
  return `x=${x}:y=${y}`;
}

/** Scales any picture into W x H without distortion (letterbox / pillarbox) at the preset rate. */
function fitFilter(settings: EncoderSettings): string {
  const { width: w, height: h } = settings;
  return `scale=${w}:${h}:force_original_aspect_ratio=decrease,pad=${w}:${h}:(ow-iw)/2:(oh-ih)/2:color=black,setsar=1,fps=${settings.fps}`;
}

export function buildPushCommand(options: PushCommandOptions): PushCommand {
  const { sources, settings } = options;
  const ctx: InputContext = {
    platform: options.platform ?? process.platform,
    width: settings.width,
    height: settings.height,
    fps: settings.fps,
    pcmFd: PCM_FD,
  };
  const encoder = encoderArgs(options.encoder, settings, options.encoderOptions);
  const inputs: string[][] = [];
  inputs.push(videoInputArgs(sources.video, ctx, 'video').args);
  let overlayIndex: number | undefined;
  if (sources.overlay) {
    overlayIndex = inputs.length;
    inputs.push(videoInputArgs(sources.overlay.source, ctx, 'overlay.source').args);
  }
  const audioInput = audioInputArgs(sources.audio, ctx, 'audio');
  let audioLabel = '0:a';
  let pcm: PushCommand['pcm'];
  if (audioInput) {
    const index = inputs.length;
    audioLabel = `${index}:a`;
    inputs.push(audioInput.args);
    if (sources.audio.kind === 'pcm') pcm = { fd: PCM_FD, format: sources.audio.format, startAfterInput: index - 1 };
  }

  const graph: string[] = [];
  const tail = [options.extraVideoFilter, encoder.filterTail].filter((part): part is string => !!part).join(',');
  if (sources.overlay && overlayIndex !== undefined) {
    const pipWidth = even(settings.width * sources.overlay.widthFraction);
    const margin = even(settings.width * 0.03);
    graph.push(`[0:v]${fitFilter(settings)}[base]`);
    graph.push(`[${overlayIndex}:v]scale=${pipWidth}:-2,setsar=1[pip]`);
    graph.push(`[base][pip]overlay=${overlayXY(sources.overlay.position, margin)}:eof_action=pass:shortest=0,${tail}[vout]`);
  } else {
    graph.push(`[0:v]${fitFilter(settings)},${tail}[vout]`);
  }
  const layout = settings.audioChannels === 1 ? 'mono' : 'stereo';
  graph.push(`[${audioLabel}]aresample=${settings.audioSampleRate},aformat=sample_fmts=fltp:sample_rates=${settings.audioSampleRate}:channel_layouts=${layout}[aout]`);

  const args = [
    ...encoder.global,
    ...inputs.flat(),
    '-filter_complex', graph.join(';'),
    '-map', '[vout]',
    '-map', '[aout]',
    ...encoder.output,
    ...audioEncoderArgs(settings),
    '-max_muxing_queue_size', '1024',
    '-flush_packets', '1',
    '-f', options.format ?? 'flv',
    ...((options.format ?? 'flv') === 'flv' ? ['-flvflags', 'no_duration_filesize'] : []),
    options.url,
  ];
  return pcm ? { args, pcm, inputCount: inputs.length } : { args, inputCount: inputs.length };
}
