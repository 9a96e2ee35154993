// The AudioWorklet side of the player's audio output: a PlayoutBuffer (common/media, unit-tested)
// behind a message port. Loaded from a Blob URL built from the class source, so the build needs no
// extra worklet file; PlayoutBuffer is self-contained (globals only) for exactly this reason.
import { PlayoutBuffer, type PlayoutSnapshot } from '../../common/media/playout-buffer';

export const PLAYOUT_PROCESSOR_NAME = 'linkmic-player-playout';

export type PlayoutCommand =
  | { readonly type: 'push'; readonly ts: number; readonly planes: Float32Array[] }
  | { readonly type: 'start'; readonly ts: number }
  | { readonly type: 'seek'; readonly ts: number }
  | { readonly type: 'rate'; readonly rate: number }
  | { readonly type: 'resume-threshold'; readonly ms: number }
  | { readonly type: 'keep-time'; readonly on: boolean }
  /** Clears the buffer; with `epoch`, feed pushes of any other epoch are dropped from now on. */
  | { readonly type: 'clear'; readonly epoch?: number }
  /** A second input: decoded audio posted by the player's media worker (FeedPush messages). */
  | { readonly type: 'feed'; readonly port: MessagePort }
  | { readonly type: 'stop' };

export interface PlayoutReport {
  readonly snapshot: PlayoutSnapshot;
  /** Context time at which the read head reported in `snapshot` will be rendered. */
  readonly contextTime: number;
}

/** Reports every this many render quanta (8 x 128 samples ≈ 21 ms at 48 kHz). */
const REPORT_EVERY = 8;

export function playoutWorkletSource(): string {
  return `
const PlayoutBuffer = (${PlayoutBuffer.toString()});
class LinkMicPlayoutProcessor extends AudioWorkletProcessor {
  constructor(options) {
    super();
    const o = options.processorOptions;
    this.buffer = new PlayoutBuffer({ sampleRate: sampleRate, channels: o.channels, keepTime: o.keepTime === true });
    this.quanta = 0;
    this.stopped = false;
    this.epoch = 0;
    this.feedPort = null;
    this.port.onmessage = (event) => {
      const m = event.data;
      switch (m.type) {
        case 'push': this.buffer.push(m.ts, m.planes); break;
        case 'start': this.buffer.start(m.ts); this.report(); break;
        case 'seek': this.buffer.seek(m.ts); break;
        case 'rate': this.buffer.setRate(m.rate); break;
        case 'resume-threshold': this.buffer.setResumeThreshold(m.ms); break;
        case 'keep-time': this.buffer.setKeepTime(m.on); break;
        case 'clear': if (m.epoch !== undefined) this.epoch = m.epoch; this.buffer.clear(); this.report(); break;
        case 'feed': if (this.feedPort) this.feedPort.close(); this.feedPort = m.port; m.port.onmessage = (e) => { const f = e.data; if (f.epoch === this.epoch) this.buffer.push(f.ts, f.planes); }; break;
        case 'stop': this.stopped = true; if (this.feedPort) this.feedPort.close(); break;
      }
    };
  }
  report() {
    this.port.postMessage({ snapshot: this.buffer.snapshot(), contextTime: currentTime + 128 / sampleRate });
  }
  process(_inputs, outputs) {
    if (this.stopped) return false;
    const out = outputs[0];
    this.buffer.render(out, out[0].length);
    this.quanta += 1;
    if (this.quanta % ${REPORT_EVERY} === 0) this.report();
    return true;
  }
}
registerProcessor('${PLAYOUT_PROCESSOR_NAME}', LinkMicPlayoutProcessor);
`;
}
