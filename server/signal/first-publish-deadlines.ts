// The first-publish deadline of accepted guests: a guest whose link was accepted must start pushing
// its stream within `deadlineMs`, or its link ends (`link.ended` reason `no-media`) and the room's guest
// slot and the session's link quota are free again. Without it, a guest that accepts and never
// publishes (a crashed client, an attacker squatting slots) holds one of the room's three slots until
// it hangs up. Armed only when the service hears the origin's publish events (media awareness);
// the due times are part of the hub's snapshot, so a restart does not reset them.
import type { Clock, TimerHandle } from './clock';

export interface FirstPublishDue {
  readonly linkId: string;
  readonly streamCode: string;
  /** Unix ms at which the link ends unless `streamCode` was published. */
  readonly at: number;
}

export class FirstPublishDeadlines {
  private readonly pending = new Map<string, FirstPublishDue & { readonly timer: TimerHandle }>();

  constructor(
    private readonly clock: Clock,
    private readonly onExpired: (due: FirstPublishDue) => void,
  ) {}

  /** Starts (or restarts) the deadline of one link. */
  arm(due: FirstPublishDue): void {
    this.cancel(due.linkId);
    const timer = this.clock.setTimeout(() => {
      this.pending.delete(due.linkId);
      this.onExpired(due);
    }, due.at - this.clock.now());
    this.pending.set(due.linkId, { ...due, timer });
  }

  /** `streamCode` is live at the origin: every link waiting for it has met its deadline. */
  published(streamCode: string): void {
    for (const entry of [...this.pending.values()]) if (entry.streamCode === streamCode) this.cancel(entry.linkId);
  }

  /** The link ended some other way. */
  cancel(linkId: string): void {
    this.pending.get(linkId)?.timer.cancel();
    this.pending.delete(linkId);
  }

  /** What is still due, for snapshots. */
  entries(): FirstPublishDue[] {
    return [...this.pending.values()].map(({ linkId, streamCode, at }) => ({ linkId, streamCode, at }));
  }

  dispose(): void {
    for (const entry of this.pending.values()) entry.timer.cancel();
    this.pending.clear();
  }
}
