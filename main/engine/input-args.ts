// ffmpeg input arguments per source and OS, after ffmpeg's device documentation
// (https://ffmpeg.org/ffmpeg-devices.html): x11grab, v4l2, pulse, alsa (Linux); gdigrab, ddagrab,
// dshow (Windows); avfoundation (macOS); lavfi test sources; files.
import { ValidationError } from '../../common/errors';
import { AUDIO_SAMPLE_RATE } from '../../common/presets';
import type { AudioSource, VideoSource } from './sources';

export interface InputContext {
  readonly platform: NodeJS.Platform;
  /** Output size and rate (test sources are generated at this size). */
  readonly width: number;
  readonly height: number;
  readonly fps: number;
  /** fd ffmpeg reads renderer PCM from (`pipe:N`). */
  readonly pcmFd: number;
}

export interface InputSpec {
  /** Arguments up to and including `-i …`. */
  readonly args: string[];
  /** A live device (wall-clock timestamps) rather than a generated or file source. */
  readonly live: boolean;
}

const QUEUE = ['-thread_queue_size', '1024'];
/** An input whose format the options state in full (raw PCM): read no more than one packet to open it. */
const NO_PROBE = ['-probesize', '32', '-analyzeduration', '0'];
/**
 * Live video devices: no frame-rate probing. By default ffmpeg analyses 20 frames to guess the rate
 * the device already states (1.3 s at 15 fps), which delays the start and puts the video timeline
 * that far ahead of any other input's.
 */
const LIVE_VIDEO = [...QUEUE, '-fpsprobesize', '0'];

function unsupported(field: string, what: string, platform: string): never {
  throw new ValidationError('INVALID_ARGUMENT', field, `${what} is not supported on ${platform}`);
}

/** `:0` -> `:0.0` style X display names accepted by x11grab. */
function x11Display(display: string | undefined): string {
  const value = display ?? process.env['DISPLAY'] ?? ':0';
  return /^[^:]*:\d+$/.test(value) ? `${value}.0` : value;
}

export function videoInputArgs(source: VideoSource, ctx: InputContext, field = 'video'): InputSpec {
  const fps = String(ctx.fps);
  switch (source.kind) {
    case 'testPattern':
      return { args: ['-re', '-f', 'lavfi', '-i', `testsrc2=size=${ctx.width}x${ctx.height}:rate=${fps}`], live: false };
    case 'file':
      return { args: ['-re', ...(source.loop === false ? [] : ['-stream_loop', '-1']), '-i', source.path], live: false };
    case 'screen': {
      const cursor = source.captureCursor ?? true;
      if (ctx.platform === 'linux') {
        const r = source.region;
        return {
          args: [
            ...LIVE_VIDEO,
            '-f', 'x11grab',
            '-framerate', fps,
            '-draw_mouse', cursor ? '1' : '0',
            ...(r ? ['-video_size', `${r.width}x${r.height}`] : []),
            '-i', `${x11Display(source.display)}${r ? `+${r.x},${r.y}` : ''}`,
          ],
          live: true,
        };
      }
      if (ctx.platform === 'win32') {
        if (source.api === 'ddagrab') {
          const index = source.display !== undefined && /^\d+$/.test(source.display) ? source.display : '0';
          const r = source.region;
          const crop = r ? `:offset_x=${r.x}:offset_y=${r.y}:video_size=${r.width}x${r.height}` : '';
          // ddagrab is a lavfi source producing D3D11 frames; download them for the software graph.
          return {
            args: ['-f', 'lavfi', '-i', `ddagrab=output_idx=${index}:framerate=${fps}:draw_mouse=${cursor ? 1 : 0}${crop},hwdownload,format=bgra`],
            live: true,
          };
        }
        const r = source.region;
        return {
          args: [
            ...LIVE_VIDEO,
            '-f', 'gdigrab',
            '-framerate', fps,
            '-draw_mouse', cursor ? '1' : '0',
            ...(r ? ['-offset_x', String(r.x), '-offset_y', String(r.y), '-video_size', `${r.width}x${r.height}`] : []),
            '-i', 'desktop',
          ],
          live: true,
        };
      }
      if (ctx.platform === 'darwin') {
        const index = source.display ?? '0';
        const name = /^\d+$/.test(index) ? `Capture screen ${index}` : index;
        return {
          args: [...LIVE_VIDEO, '-f', 'avfoundation', '-framerate', fps, '-capture_cursor', cursor ? '1' : '0', '-pixel_format', 'uyvy422', '-i', `${name}:none`],
          live: true,
        };
      }
      return unsupported(field, 'screen capture', ctx.platform);
    }
    case 'window': {
      if (ctx.platform === 'win32') {
        if (!source.title) throw new ValidationError('INVALID_ARGUMENT', `${field}.title`, 'window capture on Windows needs the window title');
        return { args: [...LIVE_VIDEO, '-f', 'gdigrab', '-framerate', fps, '-i', `title=${source.title}`], live: true };
      }
      if (ctx.platform === 'linux') {
        if (!source.windowId) throw new ValidationError('INVALID_ARGUMENT', `${field}.windowId`, 'window capture on Linux needs the X window id');
        return {
          args: [...LIVE_VIDEO, '-f', 'x11grab', '-framerate', fps, '-window_id', source.windowId, '-i', x11Display(source.display)],
          live: true,
        };
      }
      return unsupported(field, 'window capture (capture the screen instead)', ctx.platform);
    }
    case 'camera': {
      const size = source.width && source.height ? ['-video_size', `${source.width}x${source.height}`] : [];
      const rate = ['-framerate', String(source.fps ?? ctx.fps)];
      if (ctx.platform === 'linux') return { args: [...LIVE_VIDEO, '-f', 'v4l2', ...rate, ...size, '-i', source.device], live: true };
      if (ctx.platform === 'win32') return { args: [...LIVE_VIDEO, '-f', 'dshow', '-rtbufsize', '64M', ...rate, ...size, '-i', `video=${source.device}`], live: true };
      if (ctx.platform === 'darwin') return { args: [...LIVE_VIDEO, '-f', 'avfoundation', ...rate, ...size, '-i', `${source.device}:none`], live: true };
      return unsupported(field, 'camera capture', ctx.platform);
    }
  }
}

/** Input args for an audio source that needs its own input (`file` audio comes from the video input). */
export function audioInputArgs(source: AudioSource, ctx: InputContext, field = 'audio'): InputSpec | undefined {
  const rate = String(AUDIO_SAMPLE_RATE);
  switch (source.kind) {
    case 'tone':
      return { args: ['-re', '-f', 'lavfi', '-i', `sine=frequency=${source.frequency ?? 440}:sample_rate=${rate}`], live: false };
    case 'silence':
      return { args: ['-re', '-f', 'lavfi', '-i', `anullsrc=channel_layout=mono:sample_rate=${rate}`], live: false };
    case 'file':
      return undefined;
    case 'pcm':
      // Timestamps follow the sample count; the feeder writes in real time and fills gaps with silence.
      // The options state the whole format, so no probing: by default ffmpeg reads about a second of
      // the pipe before its first packet, and the sound would start that long after the picture.
      return { args: [...QUEUE, ...NO_PROBE, '-f', source.format, '-ar', rate, '-ac', '1', '-i', `pipe:${ctx.pcmFd}`], live: true };
    case 'microphone': {
      if (ctx.platform === 'linux') {
        const api = source.api ?? 'pulse';
        return { args: [...QUEUE, '-f', api, ...(api === 'pulse' ? ['-sample_rate', rate] : []), '-i', source.device], live: true };
      }
      if (ctx.platform === 'win32') return { args: [...QUEUE, '-f', 'dshow', '-i', `audio=${source.device}`], live: true };
      if (ctx.platform === 'darwin') return { args: [...QUEUE, '-f', 'avfoundation', '-i', `:${source.device}`], live: true };
      return unsupported(field, 'microphone capture', ctx.platform);
    }
  }
}
