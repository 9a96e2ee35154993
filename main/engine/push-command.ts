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
  readonly pcm?: {
    readonly fd: number;
    readonly format: 's16le' | 'f32le';
    readonly startAfterInput: number;
    /** The renderer's mic feeds it (`pcm` source); otherwise the engine generates the audio. */
    readonly fromRenderer: boolean;
    /** Generated tone (tone source on a live video timeline); silence when absent. */
    readonly fill?: { readonly frequency: number };
  };
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

/**
 * Scales any picture into W x H without distortion (letterbox / pillarbox). The frame rate is set
 * on the output (`-r`), not with the fps filter: that filter holds every frame until it has seen
 * the next one, a whole frame (67 ms at 15 fps) of latency.
 */
function fitFilter(settings: EncoderSettings): string {
  const { width: w, height: h } = settings;
  return `scale=${w}:${h}:force_original_aspect_ratio=decrease,pad=${w}:${h}:(ow-iw)/2:(oh-ih)/2:color=black,setsar=1`;
}

/**
 * The muxer options of a live push: every packet leaves as soon as it can.
 * - `-max_interleave_delta 1`: ffmpeg's muxer writes packets in timestamp order across the tracks and
 *   by default holds each one until the other track has a packet queued (up to 10 s), so audio
 *   waits for the next picture or the picture for the AAC encoder's look-ahead. With 1 µs a packet
 *   leaves once any later packet is queued (docs/player.md, "publisher").
 * - `-bsf:a noise=drop=lt(pts,0)`: the AAC encoder stamps its first packet (its 1024-sample
 *   priming) 21 ms before the first input sample. Once the muxer no longer waits for both tracks,
 *   the first pictures can be written before that packet arrives, and the FLV muxer refuses any
 *   packet older than the first one it wrote ("Packets are not in the proper order with respect
 *   to DTS", or "failed to avoid negative timestamp -21"): ffmpeg exits and the push reconnects in
 *   a loop. Dropping the priming packet starts both tracks at 0, so either may come first; sync is
 *   unchanged (the next packet's timestamp is its first sample's).
 * - `-flush_packets 1`: each packet goes to the socket at once.
 */
export function liveMuxerArgs(format = 'flv'): string[] {
  return [
    '-max_interleave_delta', '1',
    '-bsf:a', 'noise=drop=lt(pts\\,0)',
    '-max_muxing_queue_size', '1024',
    '-flush_packets', '1',
    '-f', format,
    ...(format === 'flv' ? ['-flvflags', 'no_duration_filesize'] : []),
  ];
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
  const main = videoInputArgs(sources.video, ctx, 'video');
  inputs.push(main.args);
  let liveVideo = main.live;
  let overlayIndex: number | undefined;
  if (sources.overlay) {
    overlayIndex = inputs.length;
    const overlay = videoInputArgs(sources.overlay.source, ctx, 'overlay.source');
    liveVideo ||= overlay.live;
    inputs.push(overlay.args);
  }
  // A generated tone or silence next to a live device: a lavfi source would start its timeline
  // when ffmpeg starts transcoding, after the device's first frame, and the muxer would hold the
  // video back by that much. Generate it on the feeder's wall-clock timeline instead.
  const audio = sources.audio;
  const generated = liveVideo && (audio.kind === 'tone' || audio.kind === 'silence');
  const audioInput = generated ? audioInputArgs({ kind: 'pcm', format: 's16le' }, ctx, 'audio') : audioInputArgs(audio, ctx, 'audio');
  let audioLabel = '0:a';
  let pcm: PushCommand['pcm'];
  if (audioInput) {
    const index = inputs.length;
    audioLabel = `${index}:a`;
    inputs.push(audioInput.args);
    if (audio.kind === 'pcm') pcm = { fd: PCM_FD, format: audio.format, startAfterInput: index - 1, fromRenderer: true };
    else if (generated) {
      pcm = { fd: PCM_FD, format: 's16le', startAfterInput: index - 1, fromRenderer: false, ...(audio.kind === 'tone' ? { fill: { frequency: audio.frequency ?? 440 } } : {}) };
    }
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
    '-r', String(settings.fps),
    ...encoder.output,
    ...audioEncoderArgs(settings),
    ...liveMuxerArgs(options.format ?? 'flv'),
    options.url,
  ];
  return pcm ? { args, pcm, inputCount: inputs.length } : { args, inputCount: inputs.length };
}
