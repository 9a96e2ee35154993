// OBS's StreamStateChanged (OBS_WEBSOCKET_OUTPUT_*) read as our push's states and stop codes.
// StartStream answers success even when the server refuses the key or cannot be reached: the only
// sign is STARTING → STOPPED without STARTED. STOPPING that we did not ask for means the streamer
// pressed "Stop Streaming" in OBS. A drop shows as RECONNECTING (OBS retries on its own) and,
// when OBS gives up, STOPPED without STOPPING.

export const OBS_OUTPUT_STATES = {
  starting: 'OBS_WEBSOCKET_OUTPUT_STARTING',
  started: 'OBS_WEBSOCKET_OUTPUT_STARTED',
  stopping: 'OBS_WEBSOCKET_OUTPUT_STOPPING',
  stopped: 'OBS_WEBSOCKET_OUTPUT_STOPPED',
  reconnecting: 'OBS_WEBSOCKET_OUTPUT_RECONNECTING',
  reconnected: 'OBS_WEBSOCKET_OUTPUT_RECONNECTED',
} as const;

/**
 * Why OBS's stream ended: `closed` = we stopped it; `refused` = it never started (a refused key or
 * an unreachable server: the engine tells the two apart); `stopped-in-obs` = the streamer stopped
 * it in OBS; `disconnected` = the connection dropped and OBS gave up reconnecting.
 */
export type ObsStopCause = 'closed' | 'refused' | 'stopped-in-obs' | 'disconnected';

export type ObsStreamPhase = 'idle' | 'starting' | 'live' | 'reconnecting' | 'stopped';

export type ObsStreamTransition =
  | { readonly kind: 'live' }
  | { readonly kind: 'reconnecting'; readonly attempt: number }
  | { readonly kind: 'reconnected'; readonly attempt: number }
  | { readonly kind: 'stopped'; readonly cause: ObsStopCause };

/** One go-live's reading of OBS's output states; events of streams we did not start are ignored. */
export class ObsStreamStateMachine {
  private phaseValue: ObsStreamPhase = 'idle';
  private everStarted = false;
  private stopRequested = false;
  private stoppingUnasked = false;
  private attempt = 0;

  get phase(): ObsStreamPhase {
    return this.phaseValue;
  }

  get reconnectAttempt(): number {
    return this.phaseValue === 'reconnecting' ? this.attempt : 0;
  }

  /** We are about to call StartStream. */
  started(): void {
    if (this.phaseValue !== 'idle') return;
    this.phaseValue = 'starting';
  }

  /** We are about to call StopStream. */
  stopping(): void {
    this.stopRequested = true;
  }

  /** Feeds one StreamStateChanged `outputState`; returns what it means for the push, if anything. */
  next(outputState: string): ObsStreamTransition | null {
    if (this.phaseValue === 'idle' || this.phaseValue === 'stopped') return null;
    switch (outputState) {
      case OBS_OUTPUT_STATES.started:
        if (this.phaseValue !== 'starting') return null;
        this.everStarted = true;
        this.phaseValue = 'live';
        return { kind: 'live' };
      case OBS_OUTPUT_STATES.reconnecting:
        this.attempt += 1;
        this.phaseValue = 'reconnecting';
        return { kind: 'reconnecting', attempt: this.attempt };
      case OBS_OUTPUT_STATES.reconnected: {
        if (this.phaseValue !== 'reconnecting') return null;
        const attempt = this.attempt;
        this.attempt = 0;
        this.phaseValue = 'live';
        return { kind: 'reconnected', attempt };
      }
      case OBS_OUTPUT_STATES.stopping:
        if (!this.stopRequested) this.stoppingUnasked = true;
        return null;
      case OBS_OUTPUT_STATES.stopped: {
        const cause: ObsStopCause = this.stopRequested
          ? 'closed'
          : !this.everStarted
            ? 'refused'
            : this.stoppingUnasked
              ? 'stopped-in-obs'
              : 'disconnected';
        this.phaseValue = 'stopped';
        return { kind: 'stopped', cause };
      }
      default:
        return null;
    }
  }
}
