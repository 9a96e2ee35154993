// Builds the ffmpeg command line(s) of a push: inputs, the filter graph (fit to the preset size,
// camera over screen), the encoder with its low-latency options, AAC 48 kHz; either one ffmpeg that
// writes FLV over RTMP itself, or (split) a video and an audio encoder whose FLV the engine publishes.
import type { EncoderSettings } from '../../common/presets';
import { audioEncoderArgs, encoderArgs, type EncoderArgsOptions, type VideoEncoder } from './encoder-args';
import { audioInputArgs, videoInputArgs, type InputContext } from './input-args';
import type { OverlayPosition, SourceSetup } from './sources';

export const PCM_FD = 3;
/** Where each encoder of a split push writes its FLV (`pipe:4`); Node reads it and publishes. */
export const TRACK_OUT_FD = 4;

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
  /**
   * `split` (the default for rtmp:// and rtmps:// URLs when the audio is fed by the engine: the
   * renderer's mic, a tone or silence): video and audio are encoded by two ffmpeg processes and the
   * engine publishes their tags over RTMP itself, each as soon as its encoder emits it
   * (docs/player.md, "The push publishes each track as it comes"). `single`: one ffmpeg encodes both
   * and writes the output itself (any URL or file, any source).
   */
  readonly publish?: 'split' | 'single';
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
  /**
   * Set for a split push: `args` is then the video encoder (its FLV on `pipe:TRACK_OUT_FD`), and
   * `audioArgs` the audio encoder (PCM in on `pcm.fd`, FLV out on `pipe:TRACK_OUT_FD`); the engine
   * publishes to `url` with `metadata` as the stream's onMetaData.
   */
  readonly split?: {
    readonly audioArgs: string[];
    readonly url: string;
    readonly metadata: Readonly<Record<string, number | string | boolean>>;
  };
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
 * The AAC encoder's first packet (its priming) is stamped -21 ms: both push shapes drop it so the audio
 * track starts at 0 like the picture's, instead of the FLV muxer shifting the whole track 21 ms later.
 */
export const DROP_AAC_PRIMING = ['-bsf:a', 'noise=drop=lt(pts\\,0)'];

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
    ...DROP_AAC_PRIMING,
    '-max_muxing_queue_size', '1024',
    '-flush_packets', '1',
    '-f', format,
    ...(format === 'flv' ? ['-flvflags', 'no_duration_filesize'] : []),
  ];
}

/** True when this push can be split into two encoders published by the engine (see `publish`). */
export function canSplitPush(options: Pick<PushCommandOptions, 'sources' | 'url' | 'format'>): boolean {
  const audio = options.sources.audio.kind;
  return (options.format ?? 'flv') === 'flv' && /^rtmps?:\/\//i.test(options.url) && (audio === 'pcm' || audio === 'tone' || audio === 'silence');
}


/** The FLV muxer options of one track of a split push (each encoder writes its own FLV to a pipe). */
export function trackMuxerArgs(): string[] {
  return ['-flush_packets', '1', '-f', 'flv', '-flvflags', 'no_duration_filesize', `pipe:${TRACK_OUT_FD}`];
}

export function buildPushCommand(options: PushCommandOptions): PushCommand {
  const wantSplit = options.publish ?? 'split';
  if (wantSplit === 'split' && canSplitPush(options)) return buildSplitPushCommand(options);
  return buildSinglePushCommand(options);
}

/**
 * Two encoders: the video ffmpeg (inputs, fit/overlay, encoder) and the audio ffmpeg (the engine's
 * wall-clock PCM: the renderer's mic, or a tone / silence it generates, on the same clock), so the
 * AAC encoder never waits behind a picture being encoded in the same loop, and no muxer holds one
 * track for the other. Both timelines start at 0 together: the engine starts feeding the PCM when
 * the video input opens (back-dated to a live device's first frame), as with one process.
 */
function buildSplitPushCommand(options: PushCommandOptions): PushCommand {
  const { sources, settings } = options;
  const { ctx, encoder, video } = videoSide(options);
  const audio = sources.audio;
  const pcmFormat = audio.kind === 'pcm' ? audio.format : 's16le';
  const pcmInput = audioInputArgs({ kind: 'pcm', format: pcmFormat }, ctx, 'audio');
  const audioArgs = [
    ...(pcmInput?.args ?? []),
    '-map', '0:a',
    '-af', audioFormatFilter(settings),
    ...audioEncoderArgs(settings),
    ...DROP_AAC_PRIMING,
    ...trackMuxerArgs(),
  ];
  const args = [
    ...encoder.global,
    ...video.inputs.flat(),
    '-filter_complex', video.graph.join(';'),
    '-map', '[vout]',
    '-an',
    '-r', String(settings.fps),
    ...encoder.output,
    ...trackMuxerArgs(),
  ];
  const pcm: NonNullable<PushCommand['pcm']> = {
    fd: PCM_FD,
    format: pcmFormat,
    startAfterInput: video.inputs.length - 1,
    fromRenderer: audio.kind === 'pcm',
    ...(audio.kind === 'tone' ? { fill: { frequency: audio.frequency ?? 440 } } : {}),
  };
  return {
    args,
    pcm,
    inputCount: video.inputs.length,
    split: { audioArgs, url: options.url, metadata: streamMetadata(settings, options.encoder) },
  };
}

/** The stream's onMetaData, as an encoder states it (the origin reads the picture size from it). */
function streamMetadata(settings: EncoderSettings, encoder: VideoEncoder): Record<string, number | string | boolean> {
  return {
    duration: 0,
    width: settings.width,
    height: settings.height,
    videodatarate: settings.videoBitrateKbps,
    framerate: settings.fps,
    videocodecid: 7,
    audiodatarate: settings.audioBitrateKbps,
    audiosamplerate: settings.audioSampleRate,
    audiosamplesize: 16,
    stereo: settings.audioChannels === 2,
    audiocodecid: 10,
    encoder: `LinkMic Studio (${encoder})`,
  };
}

/** Resamples any audio input to the preset's rate and channels, planar float for the AAC encoder. */
function audioFormatFilter(settings: EncoderSettings): string {
  const layout = settings.audioChannels === 1 ? 'mono' : 'stereo';
  return `aresample=${settings.audioSampleRate},aformat=sample_fmts=fltp:sample_rates=${settings.audioSampleRate}:channel_layouts=${layout}`;
}

/** What both push shapes start from: the input context, the video encoder and the video inputs + graph. */
function videoSide(options: PushCommandOptions): { ctx: InputContext; encoder: ReturnType<typeof encoderArgs>; video: ReturnType<typeof videoPart> } {
  const ctx = inputContext(options);
  const encoder = encoderArgs(options.encoder, options.settings, options.encoderOptions);
  return { ctx, encoder, video: videoPart(options, ctx, encoder.filterTail) };
}

function inputContext(options: PushCommandOptions): InputContext {
  const { settings } = options;
  return { platform: options.platform ?? process.platform, width: settings.width, height: settings.height, fps: settings.fps, pcmFd: PCM_FD };
}

/** The video inputs and the filter graph ending in `[vout]` (fit to the preset, optional overlay). */
function videoPart(options: PushCommandOptions, ctx: InputContext, filterTail: string): { inputs: string[][]; graph: string[]; live: boolean; overlayIndex?: number } {
  const { sources, settings } = options;
  const inputs: string[][] = [];
  const main = videoInputArgs(sources.video, ctx, 'video');
  inputs.push(main.args);
  let live = main.live;
  const graph: string[] = [];
  const tail = [options.extraVideoFilter, filterTail].filter((part): part is string => !!part).join(',');
  if (sources.overlay) {
    const overlayIndex = inputs.length;
    const overlay = videoInputArgs(sources.overlay.source, ctx, 'overlay.source');
    live ||= overlay.live;
    inputs.push(overlay.args);
    const pipWidth = even(settings.width * sources.overlay.widthFraction);
    const margin = even(settings.width * 0.03);
    graph.push(`[0:v]${fitFilter(settings)}[base]`);
    graph.push(`[${overlayIndex}:v]scale=${pipWidth}:-2,setsar=1[pip]`);
    graph.push(`[base][pip]overlay=${overlayXY(sources.overlay.position, margin)}:eof_action=pass:shortest=0,${tail}[vout]`);
    return { inputs, graph, live, overlayIndex };
  }
  graph.push(`[0:v]${fitFilter(settings)},${tail}[vout]`);
  return { inputs, graph, live };
}

function buildSinglePushCommand(options: PushCommandOptions): PushCommand {
  const { sources, settings } = options;
  const { ctx, encoder, video } = videoSide(options);
  const inputs = video.inputs;
  // A generated tone or silence next to a live device: a lavfi source would start its timeline
  // when ffmpeg starts transcoding, after the device's first frame, and the muxer would hold the
  // video back by that much. Generate it on the feeder's wall-clock timeline instead.
  const audio = sources.audio;
  const generated = video.live && (audio.kind === 'tone' || audio.kind === 'silence');
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
  const graph = [...video.graph, `[${audioLabel}]${audioFormatFilter(settings)}[aout]`];
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
