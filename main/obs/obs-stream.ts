// One go-live through OBS: write OBS's stream service for our signed push URL, StartStream, read
// StreamStateChanged into states and a stop cause, sample the figures while it runs, StopStream,
// and put the streamer's own stream settings back (kept on disk meanwhile when given a leftover
// store, and put back at the next start after a crash). A stream that never started is told apart by
// whether the server accepts TCP: it does → the key was refused (PUBLISH_REFUSED), it does not →
// CONNECT_FAILED.
import net from 'node:net';
import { InvalidStateError, LinkMicError, toErrorPayload, type ErrorPayload } from '../../common/errors';
import { TypedEmitter, type Disposable } from '../../common/typed-emitter';
import type { ObsClient } from './obs-client';
import type { ObsServiceLeftoverStore } from './obs-stream-leftover';
import { ObsStatsSampler, type ObsStreamStats } from './obs-stream-stats';
import { ObsStreamService, toObsStreamTarget, type ObsStreamTarget } from './obs-stream-service';
import { ObsStreamStateMachine, type ObsStopCause } from './obs-stream-states';

export interface ObsStreamEvents extends Record<string, unknown> {
  /** The first connection is live (OBS_WEBSOCKET_OUTPUT_STARTED). */
  live: Record<string, never>;
  reconnecting: { attempt: number };
  reconnected: { attempt: number };
  stats: ObsStreamStats;
  /** Over for good; `error` is null when we stopped it. Emitted once. */
  stopped: { cause: ObsStopCause | 'obs-gone'; error: ErrorPayload | null };
}

export interface ObsStreamOptions {
  /** Our signed push URL rtmp://host/live/{code}?mix=…&txSecret=…&txTime=… */
  readonly url: string;
  /** Default 2000 ms; 0 = no sampling. */
  readonly statsIntervalMs?: number;
  /** How long stop() waits for OBS to say STOPPED. Default 20 s. */
  readonly stopTimeoutMs?: number;
  /** Keeps the streamer's settings on disk while OBS has our key (restored on the next start after a crash). */
  readonly leftovers?: ObsServiceLeftoverStore | null;
}

export class ObsStream {
  readonly events = new TypedEmitter<ObsStreamEvents>();
  private readonly machine = new ObsStreamStateMachine();
  private readonly service: ObsStreamService;
  private readonly sampler: ObsStatsSampler;
  private readonly subscriptions: Disposable[] = [];
  private statsTimer: NodeJS.Timeout | null = null;
  private ended = false;
  private readonly endedPromise: Promise<void>;
  private resolveEnded!: () => void;
  private stopping: Promise<void> | null = null;
  readonly target: ObsStreamTarget;

  private constructor(
    private readonly client: ObsClient,
    private readonly options: ObsStreamOptions,
  ) {
    this.target = toObsStreamTarget(options.url);
    this.service = new ObsStreamService(client, options.leftovers ?? null);
    this.sampler = new ObsStatsSampler(client);
    this.endedPromise = new Promise((resolve) => (this.resolveEnded = resolve));
  }

  /** Resolves once OBS accepted StartStream (not yet live: watch `live` / `stopped`). */
  static async start(client: ObsClient, options: ObsStreamOptions): Promise<ObsStream> {
    const stream = new ObsStream(client, options);
    await stream.begin();
    return stream;
  }

  get phase() {
    return this.machine.phase;
  }

  get reconnectAttempt(): number {
    return this.machine.reconnectAttempt;
  }

  /** The settings we will put back (for tests and diagnostics). */
  get savedService() {
    return this.service.savedSettings;
  }

  private async begin(): Promise<void> {
    const status = await this.client.call('GetStreamStatus');
    if (status.outputActive) {
      throw new InvalidStateError('OBS is already streaming: stop the stream in OBS, then go live from the studio');
    }
    // A studio that crashed while live left the streamer's settings behind: put them back first,
    // so they, not our old key, are what this go-live saves and restores.
    await this.service.restoreLeftover();
    await this.service.apply(this.target);
    this.subscriptions.push(
      this.client.on('StreamStateChanged', ({ outputState }) => this.onState(outputState)),
      this.client.events.on('close', ({ closedByUs }) => {
        if (!closedByUs) this.finish('obs-gone', new LinkMicError('OBS_NOT_RUNNING', 'the connection to OBS was lost while streaming'), false);
      }),
    );
    this.machine.started();
    try {
      await this.client.call('StartStream');
    } catch (error) {
      this.dispose();
      await this.service.restore().catch(() => undefined);
      throw error;
    }
    const interval = this.options.statsIntervalMs ?? 2000;
    if (interval > 0) {
      this.statsTimer = setInterval(() => {
        if (this.machine.phase !== 'live' && this.machine.phase !== 'reconnecting') return;
        this.sampler
          .sample()
          .then((stats) => {
            if (!this.ended) this.events.emit('stats', stats);
          })
          .catch(() => undefined);
      }, interval);
    }
  }

  private onState(outputState: string): void {
    const transition = this.machine.next(outputState);
    if (!transition || this.ended) return;
    switch (transition.kind) {
      case 'live':
        this.events.emit('live', {});
        return;
      case 'reconnecting':
        this.events.emit('reconnecting', { attempt: transition.attempt });
        return;
      case 'reconnected':
        this.events.emit('reconnected', { attempt: transition.attempt });
        return;
      case 'stopped':
        void this.stoppedBy(transition.cause);
    }
  }

  private async stoppedBy(cause: ObsStopCause): Promise<void> {
    let error: LinkMicError | null = null;
    if (cause === 'refused') {
      error = (await acceptsTcp(this.target.server))
        ? new LinkMicError('PUBLISH_REFUSED', `the server at ${this.target.server} refused OBS's stream (the key or its signature was not accepted)`)
        : new LinkMicError('CONNECT_FAILED', `OBS could not reach ${this.target.server}`);
    } else if (cause === 'stopped-in-obs') {
      error = new LinkMicError('OBS_STREAM_STOPPED', 'the stream was stopped in OBS Studio');
    } else if (cause === 'disconnected') {
      error = new LinkMicError('DISCONNECTED', 'OBS lost the connection to the server and gave up reconnecting');
    }
    this.finish(cause, error, true);
  }

  private finish(cause: ObsStopCause | 'obs-gone', error: LinkMicError | null, restore: boolean): void {
    if (this.ended) return;
    this.ended = true;
    this.dispose();
    const restored = restore && this.client.connected ? this.service.restore().catch(() => undefined) : Promise.resolve();
    // OBS says STOPPED a moment before its output is free, and a go-live right after would read
    // "already streaming": `stopped` means OBS can start again (bounded wait).
    void restored.then(() => this.untilOutputInactive(Date.now() + 10_000)).then(() => {
      this.events.emit('stopped', { cause, error: error ? toErrorPayload(error) : null });
      this.resolveEnded();
    });
  }

  private dispose(): void {
    for (const subscription of this.subscriptions.splice(0)) subscription.dispose();
    if (this.statsTimer) clearInterval(this.statsTimer);
    this.statsTimer = null;
  }

  /** StopStream, wait for OBS's STOPPED (bounded), restore the streamer's settings. Idempotent. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      if (this.ended) return this.endedPromise;
      this.machine.stopping();
      if (this.client.connected) {
        await this.client.call('StopStream').catch(() => undefined);
        const timeoutMs = this.options.stopTimeoutMs ?? 20_000;
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([this.endedPromise, new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
        clearTimeout(timer);
      }
      this.finish('closed', null, true);
      await this.endedPromise;
    })();
    return this.stopping;
  }

  private async untilOutputInactive(deadline: number): Promise<void> {
    while (this.client.connected && Date.now() < deadline) {
      const status = await this.client.call('GetStreamStatus').catch(() => null);
      if (!status?.outputActive) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** Whether something accepts TCP at an rtmp://host:port/… address (within 3 s). */
function acceptsTcp(server: string): Promise<boolean> {
  const url = new URL(server);
  const port = Number(url.port || (url.protocol === 'rtmps:' ? 443 : 1935));
  return new Promise((resolve) => {
    const socket = net.connect(port, url.hostname);
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.setTimeout(3000, () => done(false));
  });
}
