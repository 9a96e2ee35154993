// The viewer ramp of bench:origin and bench:cluster: add viewers step by step, let the newcomers'
// catch-up drain, record the probes' transit for a while, stop at the first step over the p99
// limit or with a viewer dropped. Bounded by a deadline; the viewers are closed at the end.
import { nearestRank, sortedAscending } from './percentile';

export interface RampViewer {
  readonly gotMedia: boolean;
  readonly closed: boolean;
  close(): void;
}

export interface RampStep {
  viewers: number;
  samples: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  viewersDropped: number;
}

export interface RampOptions<Extra extends object> {
  readonly steps: readonly number[];
  readonly p99LimitMs: number;
  readonly measureMs: number;
  /** The whole ramp stops starting new steps after this long. */
  readonly deadlineMs: number;
  readonly connectTimeoutMs: number;
  /** A pause of 20 ms after each this many new viewers. */
  readonly batch: number;
  /** Viewer number `index`; a probe viewer calls `probe(transitMs)` for each stamped packet. */
  addViewer(index: number, probe: (transitMs: number) => void): RampViewer;
  /** Figures of the measuring window besides the transit (e.g. the server's CPU): called at its start, the result at its end. */
  measureAlso?(): () => Extra;
  /** The log line of a step. */
  describe(step: RampStep & Extra): string;
}

export interface RampResult<Extra extends object> {
  readonly steps: Array<RampStep & Extra>;
  /** The most viewers of a step within the limit (0 when none was). */
  readonly viewersWithinLimit: number;
  readonly firstStepOverLimit: number | null;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const round2 = (value: number): number => Math.round(value * 100) / 100;

export async function rampViewers<Extra extends object>(options: RampOptions<Extra>): Promise<RampResult<Extra>> {
  const viewers: RampViewer[] = [];
  let samples: number[] = [];
  let recording = false;
  const probe = (ms: number): void => {
    if (recording) samples.push(ms);
  };
  const steps: Array<RampStep & Extra> = [];
  const within = (step: RampStep): boolean => step.p99 <= options.p99LimitMs && step.viewersDropped === 0;
  let firstOver: number | null = null;
  const deadline = Date.now() + options.deadlineMs;
  try {
    for (const count of options.steps) {
      if (Date.now() > deadline) break;
      while (viewers.length < count) {
        viewers.push(options.addViewer(viewers.length, probe));
        if (viewers.length % options.batch === 0) await sleep(20);
      }
      const connectDeadline = Date.now() + options.connectTimeoutMs;
      while (viewers.some((v) => !v.gotMedia && !v.closed) && Date.now() < connectDeadline) await sleep(50);
      await sleep(1500); // the newcomers' catch-up drains, then live packets only
      const finishExtra = options.measureAlso?.();
      samples = [];
      recording = true;
      await sleep(options.measureMs);
      recording = false;
      const sorted = sortedAscending(samples);
      const step = {
        viewers: count,
        samples: sorted.length,
        p50: round2(nearestRank(sorted, 50)),
        p95: round2(nearestRank(sorted, 95)),
        p99: round2(nearestRank(sorted, 99)),
        max: round2(nearestRank(sorted, 100)),
        viewersDropped: viewers.filter((v) => v.closed || !v.gotMedia).length,
        ...(finishExtra ? finishExtra() : ({} as Extra)),
      } as RampStep & Extra;
      steps.push(step);
      process.stdout.write(`${options.describe(step)}\n`);
      if (!within(step)) {
        firstOver = count;
        break;
      }
    }
  } finally {
    for (const viewer of viewers) viewer.close();
  }
  return { steps, viewersWithinLimit: steps.filter(within).at(-1)?.viewers ?? 0, firstStepOverLimit: firstOver };
}
