// A Node reader of the timestamp source's HTTP-FLV stream that notes when each audio and video tag
// arrives (no browser in the path): the publisher-side arrival jitter the players have to absorb.
// jitter of a tag = (arrival - dts) minus the smallest (arrival - dts) of its own track in the window
// (a constant offset between the two tracks' timelines is A/V sync, reported as `audioLeadsMs`, not
// jitter); "clumped" = the share of tags that arrived within 1 ms of the previous tag.
import { get, type ClientRequest } from 'node:http';
import { FlvDemuxer } from '../../common/media/flv-demuxer';

interface Arrival {
  readonly at: number;
  readonly dts: number;
  readonly delay: number;
  readonly track: 'audio' | 'video';
}

export interface ArrivalFigures {
  readonly audio: { p50: number | null; p95: number | null; p99: number | null; tags: number };
  readonly video: { p50: number | null; p95: number | null; p99: number | null; tags: number };
  /** Share of tags (both tracks) that arrived within 1 ms of the previous one (0..1). */
  readonly clumped: number | null;
  /** Spread of the smallest per-second path delay over the window (publisher drift behind real time). */
  readonly driftMs: number | null;
  /** Median video path delay minus median audio path delay: > 0 when audio arrives earlier for its timestamp. */
  readonly audioLeadsMs: number | null;
}

function percentile(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!);
}

export class ArrivalProbe {
  private readonly arrivals: Arrival[] = [];
  private readonly demuxer = new FlvDemuxer();
  private request: ClientRequest | null = null;

  constructor(private readonly url: string) {}

  start(): void {
    if (this.request) return;
    this.request = get(this.url, (res) => {
      res.on('data', (chunk: Buffer) => {
        const at = performance.timeOrigin + performance.now();
        for (const event of this.demuxer.push(chunk)) {
          if (event.kind === 'audio' || event.kind === 'video') this.arrivals.push({ at, dts: event.dts, delay: at - event.dts, track: event.kind });
        }
      });
      res.on('error', () => undefined);
    });
    this.request.on('error', () => undefined);
  }

  /** Figures over arrivals with `from <= at < to` (Date.now() milliseconds). */
  figures(from: number, to: number): ArrivalFigures {
    const window = this.arrivals.filter((a) => a.at >= from && a.at < to);
    const of = (track: 'audio' | 'video'): number[] => {
      const delays = window.filter((a) => a.track === track).map((a) => a.delay);
      const edge = Math.min(...delays);
      return delays.map((d) => d - edge);
    };
    const audio = of('audio');
    const video = of('video');
    const median = (track: 'audio' | 'video'): number | null => percentile(window.filter((a) => a.track === track).map((a) => a.delay), 0.5);
    const audioMedian = median('audio');
    const videoMedian = median('video');
    let clumped = 0;
    for (let i = 1; i < window.length; i += 1) if (window[i]!.at - window[i - 1]!.at < 1) clumped += 1;
    const perSecond = new Map<number, number>();
    for (const a of window) {
      const s = Math.floor(a.at / 1000);
      perSecond.set(s, Math.min(perSecond.get(s) ?? Number.POSITIVE_INFINITY, a.delay));
    }
    const minima = [...perSecond.values()];
    return {
      audio: { p50: percentile(audio, 0.5), p95: percentile(audio, 0.95), p99: percentile(audio, 0.99), tags: audio.length },
      video: { p50: percentile(video, 0.5), p95: percentile(video, 0.95), p99: percentile(video, 0.99), tags: video.length },
      clumped: window.length > 1 ? Math.round((clumped / (window.length - 1)) * 100) / 100 : null,
      driftMs: minima.length ? Math.round(Math.max(...minima) - Math.min(...minima)) : null,
      audioLeadsMs: audioMedian !== null && videoMedian !== null ? videoMedian - audioMedian : null,
    };
  }

  /** When the audio tag holding media time `ts` (ms) reached this reader (Date.now() ms), or null. */
  audioArrivalOf(ts: number, frameMs = 1024 / 48): number | null {
    for (let i = this.arrivals.length - 1; i >= 0; i -= 1) {
      const a = this.arrivals[i]!;
      if (a.track === 'audio' && a.dts <= ts + 0.5 && ts < a.dts + frameMs) return a.at;
    }
    return null;
  }

  close(): void {
    this.request?.destroy();
    this.request = null;
  }
}
