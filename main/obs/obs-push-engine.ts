// The OBS Studio engine: a push is OBS's own stream, pointed at our signed URL (ObsStream), and
// while we push our room the linked parties appear in OBS's program (ObsCoHostInputs). OBS
// encodes and captures everything itself, so the renderer's mic frames are not used.
import { LinkMicError } from '../../common/errors';
import type { StudioState } from '../../common/studio-api';
import { TypedEmitter } from '../../common/typed-emitter';
import type { CoreLogger, PushSession, PushSessionEvents, PushStatus, StartPushOptions } from '../core/ports';
import { coHostParties } from './co-host-parties';
import { ObsClient } from './obs-client';
import { ObsCoHostInputs } from './obs-co-host-inputs';
import { ObsStream } from './obs-stream';
import type { ObsServiceLeftoverStore } from './obs-stream-leftover';
import type { ObsStreamStats } from './obs-stream-stats';

export interface ObsEndpoint {
  readonly url: string;
  readonly password: string | null;
}

export interface ObsPushEngineOptions {
  readonly logger?: CoreLogger;
  /** Stats sampling period. Default 2000 ms. */
  readonly statsIntervalMs?: number;
  /** Where the streamer's OBS stream settings are kept while OBS has our key (the studio's secret store). */
  readonly leftovers?: ObsServiceLeftoverStore;
}

/** OBS's figures as the push's stats: frames = the output's total, dropped = its skipped frames, and the bytes it sent. */
export function toPushStats(stats: ObsStreamStats): PushSessionEvents['stats'] {
  return {
    fps: stats.fps,
    bitrateKbps: stats.bitrateKbps,
    frames: stats.totalFrames,
    droppedFrames: stats.skippedFrames,
    outTimeMs: stats.durationMs,
    speed: 1,
    audioFramesIn: 0,
    audioFramesDropped: 0,
    congestion: stats.congestion,
    cpuPercent: stats.cpuPercent,
    bytesSent: stats.bytes,
  };
}

export class ObsPushEngine {
  private readonly sessions = new Set<PushSession>();
  private coHosts: ObsCoHostInputs | null = null;
  private lastState: Pick<StudioState, 'live' | 'links' | 'pk' | 'layout'> | null = null;

  constructor(private readonly options: ObsPushEngineOptions = {}) {}

  async startPush(options: StartPushOptions, endpoint: ObsEndpoint): Promise<PushSession> {
    const client = await ObsClient.connect({ url: endpoint.url, password: endpoint.password });
    let stream: ObsStream;
    try {
      stream = await ObsStream.start(client, {
        url: options.url,
        leftovers: this.options.leftovers ?? null,
        ...(this.options.statsIntervalMs === undefined ? {} : { statsIntervalMs: this.options.statsIntervalMs }),
      });
    } catch (error) {
      await client.close();
      throw error;
    }
    const version = await client.call('GetVersion').then((v) => `OBS ${v.obsVersion}`, () => 'OBS');
    const events = new TypedEmitter<PushSessionEvents>();
    let status: PushStatus = 'starting';
    let attempt = 0;
    let ended = false;
    let closedByUs = false;
    const coHosts = options.role === 'big' ? new ObsCoHostInputs(client, this.options.logger) : null;
    const setStatus = (next: PushStatus, nextAttempt: number) => {
      status = next;
      attempt = nextAttempt;
      events.emit('status', { status, attempt });
    };
    stream.events.on('live', () => {
      setStatus('live', 0);
      if (coHosts) {
        this.coHosts = coHosts;
        if (this.lastState) this.showCoHosts(this.lastState);
      }
    });
    stream.events.on('reconnecting', ({ attempt: n }) => {
      setStatus('reconnecting', n);
      events.emit('error', new LinkMicError('DISCONNECTED', `OBS lost the connection to the server (attempt ${n})`).toPayload());
    });
    stream.events.on('reconnected', () => setStatus('live', 0));
    stream.events.on('stats', (stats) => events.emit('stats', toPushStats(stats)));
    const finish = async () => {
      if (this.coHosts === coHosts) this.coHosts = null;
      await coHosts?.close().catch((error: unknown) => this.options.logger?.warn('could not remove the co-hosts from OBS', { error: String(error) }));
      await client.close();
    };
    let finished: Promise<void> | null = null;
    stream.events.on('stopped', ({ error }) => {
      if (ended) return;
      ended = true;
      finished ??= finish();
      void finished.then(() => {
        this.sessions.delete(session);
        events.emit('close', { closedByUs: closedByUs || error === null, error });
      });
    });
    const session: PushSession = {
      events,
      encoder: version,
      get status() {
        return status;
      },
      get reconnectAttempt() {
        return status === 'live' ? 0 : attempt;
      },
      pushPcm: () => undefined,
      close: async () => {
        closedByUs = true;
        await stream.stop();
        finished ??= finish();
        await finished;
        this.sessions.delete(session);
      },
    };
    this.sessions.add(session);
    return session;
  }

  /** The studio's state changed: OBS shows the parties linked into our room now. */
  onStudioState(state: Pick<StudioState, 'live' | 'links' | 'pk' | 'layout'>): void {
    this.lastState = state;
    if (this.coHosts) this.showCoHosts(state);
  }

  private showCoHosts(state: Pick<StudioState, 'live' | 'links' | 'pk' | 'layout'>): void {
    const coHosts = this.coHosts;
    if (!coHosts) return;
    coHosts.set(coHostParties(state)).catch((error: unknown) => this.options.logger?.warn('could not update the co-hosts in OBS', { error: String(error) }));
  }

  /** Stops every OBS stream it started (OBS keeps running). Idempotent. */
  async close(): Promise<void> {
    await Promise.all([...this.sessions].map((session) => session.close().catch(() => undefined)));
  }
}
