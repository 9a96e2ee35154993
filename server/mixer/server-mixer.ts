// The server-side mixer (spec §7, docs/mixer.md): watches the origin's publishes and keeps one
// StreamMix per big host that pushes with `mix=layer:b;session_id:N;t_id:T`.
//
// Who is in a mix (in template order):
//  1. the big host (layer b, t_id T, session_id N);
//  2. t_id 2 only — its cross-room PK peer: when the signalling service has an accepted PK
//     between this host's room and another room whose host is live, that host's original stream
//     (each room's audience sees its own host on the left);
//  3. the small hosts (layer s) pushing with the same session_id N and the same t_id T, in the
//     order they started — as many as the template holds (t_id 3: four tiles in all).
//
// Routing: while a mix serves, the origin hands audience plays (no session_id) of the big host's
// code to `{code}__mix` (OriginOptions.audienceSource); link plays and the mixer's own pulls
// (internal token) get the originals. A mix that fails for good stops serving, and its audiences
// are disconnected so that they reconnect to the original.
import type { Logger } from 'pino';
import { AUDIO_SAMPLE_RATE, BIG_HOST_PRESET } from '../../common/presets';
import { isMixTemplateId, type MixTemplateId } from '../../common/mix-templates';
import { LAYOUT_TEMPLATES, TEMPLATE_CAPACITY } from '../../common/layout';
import type { Disposable } from '../../common/typed-emitter';
import type { LiveStreamInfo, PlayInfo, PublishEvent, UnpublishEvent } from '../origin/origin-types';
import { INTERNAL_STREAM_SUFFIX } from '../origin/mix-routing';
import type { MixBattle, MixStatus, MixerOptions } from './mix-types';
import type { MixOverlay } from './mix-overlay';
import { StreamMix, type MixParty, type StreamMixConfig } from './stream-mix';

/** The parts of LinkMicServer the mixer uses (structural: the dependency stays one-way). */
export interface MixerHost {
  readonly log: Logger;
  readonly running: boolean;
  on(event: 'publish', listener: (event: PublishEvent) => void): Disposable;
  on(event: 'unpublish', listener: (event: UnpublishEvent) => void): Disposable;
  on(event: 'ready', listener: () => void): Disposable;
  onClose(hook: () => void | Promise<void>): Disposable;
  listStreams(): LiveStreamInfo[];
  listPlays(): PlayInfo[];
  closePlay(playId: string): boolean;
  /** Internal HTTP-FLV URL of a stream's original (never redirected). */
  internalPullUrl(streamCode: string): string;
  /** Internal RTMP publish URL for a reserved output code. */
  internalPushUrl(streamCode: string): string;
  /** The stream code of the host in an accepted cross-room PK with `streamCode`'s room, if any. */
  pkPeerOf(streamCode: string): string | undefined;
  /** The PK battle `streamCode`'s room is in (its own side first), if any. */
  battleOf(streamCode: string): MixBattle | undefined;
  /** Called with a PK's room ids (= host stream codes) whenever its battle changes or ends. */
  onBattleChange(listener: (roomIds: readonly string[]) => void): Disposable;
}

const PK_POLL_MS = 500;

/** A battle as the mix draws it: its own host left, the end time moved from server time into `now`'s clock. */
export function battleOverlay(battle: MixBattle, now: number): MixOverlay {
  return {
    kind: 'battle',
    left: battle.own,
    right: battle.peer,
    phase: battle.phase,
    endsAt: battle.endsAt - battle.serverTime + now,
    winner: battle.winner === null ? null : battle.winner === 'own' ? 'left' : battle.winner === 'peer' ? 'right' : 'draw',
  };
}

export function mixOutputCode(streamCode: string): string {
  return `${streamCode}${INTERNAL_STREAM_SUFFIX}`;
}

export class ServerMixer {
  private readonly mixes = new Map<string, StreamMix>();
  private readonly subscriptions: Disposable[] = [];
  private readonly config: StreamMixConfig;
  private readonly enabled: boolean;
  private readonly log: Logger;
  private pkTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly host: MixerHost,
    options: MixerOptions = {},
  ) {
    this.log = host.log.child({ component: 'mixer' });
    this.enabled = options.enabled ?? true;
    this.config = {
      ffmpegPath: options.ffmpegPath ?? process.env['FFMPEG_PATH'] ?? 'ffmpeg',
      width: options.width ?? BIG_HOST_PRESET.width,
      height: options.height ?? BIG_HOST_PRESET.height,
      fps: options.fps ?? BIG_HOST_PRESET.fps,
      videoKbps: options.videoKbps ?? BIG_HOST_PRESET.videoBitrateKbps,
      audioKbps: BIG_HOST_PRESET.audioBitrateKbps,
      sampleRate: AUDIO_SAMPLE_RATE,
      x264Preset: options.x264Preset ?? 'veryfast',
      minSpeed: options.minSpeed ?? 0.9,
      slowForMs: options.slowForMs ?? 3000,
      maxRestartsPerMinute: options.maxRestartsPerMinute ?? 5,
    };
    if (!this.enabled) return;
    this.subscriptions.push(
      host.on('publish', (event) => this.onPublish(event)),
      host.on('unpublish', (event) => this.onUnpublish(event)),
      host.onClose(() => this.closeAll()),
      host.onBattleChange((roomIds) => {
        for (const roomId of roomIds) this.refreshOverlay(roomId);
      }),
    );
  }

  /** For the origin: the stream an audience play of `streamCode` is served from (a serving mix), if any. */
  audienceSource(streamCode: string): string | undefined {
    const mix = this.mixes.get(streamCode);
    return mix?.serving ? mix.options.outputCode : undefined;
  }

  status(streamCode: string): MixStatus | undefined {
    return this.mixes.get(streamCode)?.status();
  }

  list(): MixStatus[] {
    return [...this.mixes.values()].map((mix) => mix.status());
  }

  /** ffmpeg PIDs and Node compositor time of a mix (bench). */
  usage(streamCode: string): { pids: number[]; compositorMs: number } | undefined {
    const mix = this.mixes.get(streamCode);
    return mix ? { pids: mix.pids, compositorMs: mix.compositorMs } : undefined;
  }

  dispose(): Promise<void> {
    for (const subscription of this.subscriptions.splice(0)) subscription.dispose();
    return this.closeAll();
  }

  // ---- events ----------------------------------------------------------------------------------

  private onPublish(event: PublishEvent): void {
    if (event.streamCode.endsWith(INTERNAL_STREAM_SUFFIX)) return;
    if (event.layer === 'b' && event.sessionId !== undefined && isMixTemplateId(event.templateId)) {
      this.startMix(event.streamCode, event.sessionId, event.templateId);
    }
    this.refreshAll();
  }

  private onUnpublish(event: UnpublishEvent): void {
    const mix = this.mixes.get(event.streamCode);
    if (mix) {
      this.mixes.delete(event.streamCode);
      void mix.close();
      this.log.info({ streamCode: event.streamCode }, 'mix stopped (big host left)');
    }
    this.refreshAll();
    if (this.mixes.size === 0) this.stopPkPoll();
  }

  private startMix(streamCode: string, sessionId: number, templateId: MixTemplateId): void {
    const existing = this.mixes.get(streamCode);
    if (existing) void existing.close();
    const outputCode = mixOutputCode(streamCode);
    const startedAt = Date.now();
    const mix = new StreamMix(
      {
        streamCode,
        outputCode,
        sessionId,
        templateId,
        pullUrl: (code) => this.host.internalPullUrl(code),
        pushUrl: this.host.internalPushUrl(outputCode),
        onFailed: () => this.kickAudiences(streamCode, Number.POSITIVE_INFINITY),
        // audiences that were waiting before the host went live are bound to the original:
        // disconnect them once the mix is live, their players reconnect to the mix
        onServing: () => this.kickAudiences(streamCode, startedAt),
      },
      this.config,
      this.log,
    );
    this.mixes.set(streamCode, mix);
    this.log.info({ streamCode, sessionId, templateId, outputCode }, 'mix started');
    mix.setParties(this.partiesOf(streamCode, sessionId, templateId));
    mix.start();
    this.startPkPoll();
  }

  private refreshAll(): void {
    for (const [code, mix] of this.mixes) {
      mix.setParties(this.partiesOf(code, mix.options.sessionId, mix.options.templateId));
      this.refreshOverlay(code);
    }
  }

  /** The score bar of a template 2 (PK) mix follows its room's battle; none without one. */
  private refreshOverlay(streamCode: string): void {
    const mix = this.mixes.get(streamCode);
    if (!mix) return;
    const battle = mix.options.templateId === LAYOUT_TEMPLATES.SIDE_BY_SIDE_PK ? this.host.battleOf(streamCode) : undefined;
    mix.setOverlay(battle ? battleOverlay(battle, Date.now()) : null);
  }

  private partiesOf(streamCode: string, sessionId: number, templateId: MixTemplateId): MixParty[] {
    const streams = this.host.listStreams();
    const live = new Set(streams.map((s) => s.streamCode));
    const parties: MixParty[] = [{ streamCode, role: 'big' }];
    if (templateId === LAYOUT_TEMPLATES.SIDE_BY_SIDE_PK) {
      const peer = this.host.pkPeerOf(streamCode);
      if (peer !== undefined && peer !== streamCode && live.has(peer)) parties.push({ streamCode: peer, role: 'pk-peer' });
    }
    const smalls = streams
      .filter((s) => s.layer === 's' && s.sessionId === sessionId && s.templateId === templateId && s.streamCode !== streamCode)
      .sort((a, b) => a.startedAt - b.startedAt);
    for (const small of smalls) {
      if (parties.some((p) => p.streamCode === small.streamCode)) continue;
      parties.push({ streamCode: small.streamCode, role: 'small' });
    }
    return parties.slice(0, TEMPLATE_CAPACITY[templateId]);
  }

  /** Disconnects the audience plays of `streamCode` that started before `before` (ms). */
  private kickAudiences(streamCode: string, before: number): void {
    for (const play of this.host.listPlays()) {
      if (play.streamCode === streamCode && play.kind === 'audience' && play.startedAt < before) this.host.closePlay(play.playId);
    }
  }

  private startPkPoll(): void {
    if (this.pkTimer) return;
    this.pkTimer = setInterval(() => this.refreshAll(), PK_POLL_MS);
    this.pkTimer.unref();
  }

  private stopPkPoll(): void {
    if (this.pkTimer) clearInterval(this.pkTimer);
    this.pkTimer = undefined;
  }

  private async closeAll(): Promise<void> {
    this.stopPkPoll();
    const mixes = [...this.mixes.values()];
    this.mixes.clear();
    await Promise.all(mixes.map((mix) => mix.close()));
  }
}
