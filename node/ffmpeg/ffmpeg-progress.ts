// Parses ffmpeg's `-progress pipe:N` output: blocks of `key=value` lines ending in `progress=continue|end`.

export interface FfmpegProgress {
  /** Frames encoded so far. */
  readonly frame: number;
  /** Encoder frame rate as ffmpeg reports it. */
  readonly fps: number;
  /** Output bitrate in kbit/s (0 when ffmpeg says N/A). */
  readonly bitrateKbps: number;
  /** Bytes written to the output. */
  readonly totalSize: number;
  /** Media time written, in milliseconds. */
  readonly outTimeMs: number;
  readonly dupFrames: number;
  readonly dropFrames: number;
  /** Encoding speed relative to real time (1 = real time; 0 when N/A). */
  readonly speed: number;
  /** `end` on the last block ffmpeg writes. */
  readonly progress: 'continue' | 'end';
}

function num(value: string | undefined): number {
  if (value === undefined) return 0;
  const parsed = Number.parseFloat(value);
  return Number.isFinite(parsed) ? parsed : 0;
}

export function progressFromFields(fields: ReadonlyMap<string, string>): FfmpegProgress {
  const outTimeUs = fields.get('out_time_us') ?? fields.get('out_time_ms'); // out_time_ms is µs too (ffmpeg quirk)
  return {
    frame: num(fields.get('frame')),
    fps: num(fields.get('fps')),
    bitrateKbps: num(fields.get('bitrate')), // "812.3kbits/s" -> 812.3
    totalSize: num(fields.get('total_size')),
    outTimeMs: Math.max(0, num(outTimeUs) / 1000),
    dupFrames: num(fields.get('dup_frames')),
    dropFrames: num(fields.get('drop_frames')),
    speed: num(fields.get('speed')), // "1.01x" -> 1.01
    progress: fields.get('progress') === 'end' ? 'end' : 'continue',
  };
}

/** Feed it chunks of the progress pipe; it calls `onBlock` once per complete block. */
export class FfmpegProgressParser {
  private buffer = '';
  private fields = new Map<string, string>();

  constructor(private readonly onBlock: (progress: FfmpegProgress) => void) {}

  push(chunk: string): void {
    this.buffer += chunk;
    let newline: number;
    while ((newline = this.buffer.indexOf('\n')) >= 0) {
      const line = this.buffer.slice(0, newline).trim();
      this.buffer = this.buffer.slice(newline + 1);
      const eq = line.indexOf('=');
      if (eq <= 0) continue;
      const key = line.slice(0, eq).trim();
      const value = line.slice(eq + 1).trim();
      this.fields.set(key, value);
      if (key === 'progress') {
        const block = this.fields;
        this.fields = new Map();
        this.onBlock(progressFromFields(block));
      }
    }
  }
}
