// StudioCore: the studio's brain, with no Electron import. It implements the StudioApi on top of
// the push engine and the signalling client, and owns the server connection (the embedded
// LinkMicServer on 127.0.0.1 by default, or a remote server). Hosts (Electron IPC, the web
// bridge) call `invoke(method, input)`, which validates the input and answers with an envelope.
import { InvalidStateError, LinkMicError, toErrorPayload, type ErrorPayload } from '../../common/errors';
import { encoderPresetFor, type EncoderSettings } from '../../common/presets';
import type { LinkStarted, PkStarted, RequestResult, UserState } from '../../common/signal/messages';
import {
  assertPcmFrameLength,
  assertStudioMethod,
  createStudioClient,
  parseStudioInput,
  type CoHostAudio,
  type LinkRequestView,
  type LinkView,
  type LiveState,
  type PkInviteView,
  type PkView,
  type PushRole,
  type RoomView,
  type ServerState,
  type StudioApi,
  type StudioEvents,
  type StudioMethodName,
  type StudioOutput,
  type StudioParsedInput,
  type StudioResult,
  type StudioSettings,
  type StudioState,
  type EncoderInfo,
  type FfmpegState,
  type PushStats,
  type EngineView,
  type ObsDescription,
  DEFAULT_ENGINE_SETTINGS,
} from '../../common/studio-api';
import { DisposableStore, TypedEmitter, type Disposable } from '../../common/typed-emitter';
import type { Layout } from '../../common/layout';
import { engineView, testObsConnection } from '../obs/obs-settings';
import { OBS_PASSWORD_KEY } from '../obs/selectable-engine';
import type { SecretStore } from '../settings/secret-store';
import type { SettingsStore } from '../settings/settings-store';
import { silentCoreLogger, type CoreLogger, type PushSession, type ServerConnection, type ServerConnector, type StudioEngine } from './ports';
import { DEFAULT_CO_HOST_AUDIO, linkView, pkView, roomView } from './signal-views';

/** The secret key under which a remote profile's token is stored. */
export function remoteTokenKey(httpUrl: string, userId: string): string {
  return `remote-token:${userId}@${httpUrl}`;
}

export interface StudioCoreOptions {
  readonly settings: SettingsStore;
  readonly secrets: SecretStore;
  readonly engine: StudioEngine;
  readonly connectServer: ServerConnector;
  readonly logger?: CoreLogger;
  readonly now?: () => number;
}

/** The core's handler per method: validated input in, value out. */
export type StudioHandlers = { [K in StudioMethodName]: (input: StudioParsedInput<K>) => Promise<StudioOutput<K>> };

const OFFLINE: LiveState = Object.freeze({ status: 'offline', role: null, streamCode: null, startedAt: null, reconnectAttempt: 0, encoder: null, lastError: null });

export class StudioCore implements StudioHandlers {
  readonly events: TypedEmitter<StudioEvents>;
  private readonly closeEvents = new TypedEmitter<{ close: void }>();
  private readonly logger: CoreLogger;
  private readonly now: () => number;

  private settings: StudioSettings | undefined;
  private started: Promise<void> | undefined;
  private closing: Promise<void> | undefined;
  private connection: ServerConnection | null = null;
  private connectionSubscriptions = new DisposableStore();
  private server: ServerState;
  private live: LiveState = OFFLINE;
  private push: PushSession | null = null;
  /** A push being started (engine.startPush not yet resolved). */
  private pushStarting: Promise<void> | null = null;
  private pushSubscriptions: DisposableStore | null = null;
  private stopRequested = false;
  /** What the current (or last) push was started with. */
  private currentPush: { url: string; role: PushRole; streamCode: string | null } | null = null;
  private pushUrl: string | null = null;
  private room: RoomView | null = null;
  private joinedRooms = new Set<string>();
  private links = new Map<string, LinkStarted>();
  private linkRequests = new Map<string, LinkRequestView>();
  private pk: PkStarted | null = null;
  private pkInvites = new Map<string, PkInviteView>();
  private layout: Layout | null = null;
  private coHostAudio = new Map<string, CoHostAudio>();
  private stats: PushStats | null = null;
  private encoders: EncoderInfo[] | null = null;
  private ffmpeg: FfmpegState = { path: null, version: null, error: null };
  private audioFramesIn = 0;
  private audioFramesDropped = 0;
  private revision = 0;
  private statePending = false;
  private obsPasswordStored = false;

  constructor(private readonly options: StudioCoreOptions) {
    this.logger = options.logger ?? silentCoreLogger;
    this.now = options.now ?? Date.now;
    this.events = new TypedEmitter<StudioEvents>((error, event) => this.logger.error('studio event listener threw', { event, error: String(error) }));
    this.server = {
      kind: 'embedded',
      status: 'stopped',
      httpUrl: null,
      rtmpUrl: null,
      signal: 'disconnected',
      userId: '',
      hasToken: false,
      secretsEncrypted: options.secrets.encrypted,
      lastError: null,
    };
  }

  // ------------------------------------------------------------------ lifecycle

  /** Loads settings (a corrupt file is reported and replaced), finds ffmpeg, connects the server. Never throws for those: failures land in the state and the `error` event. */
  start(): Promise<void> {
    this.started ??= this.doStart();
    return this.started;
  }

  private async doStart(): Promise<void> {
    const loaded = await this.options.settings.load();
    this.settings = loaded.settings;
    if (loaded.problem) this.report('settings', loaded.problem);
    this.server = { ...this.server, kind: this.settings.server.kind, userId: this.serverUserId() };
    this.obsPasswordStored = Boolean(await this.options.secrets.get(OBS_PASSWORD_KEY));
    await this.refreshFfmpeg();
    await this.connect().catch(() => undefined);
  }

  get closed(): boolean {
    return this.closing !== undefined;
  }

  /** Stops the push (ffmpeg), the signal connection and the embedded server; emits `close` once. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.started?.catch(() => undefined);
      await this.stopPush().catch((error: unknown) => this.logger.warn('stopping the push failed', { error: String(error) }));
      await this.disconnect();
      await this.options.engine.close().catch((error: unknown) => this.logger.warn('closing the engine failed', { error: String(error) }));
      this.closeEvents.emit('close', undefined);
      this.events.removeAllListeners();
    })();
    return this.closing;
  }

  onClose(listener: () => void): Disposable {
    return this.closeEvents.on('close', listener);
  }

  // ------------------------------------------------------------------ the host entry points

  /** Validates and runs a method; never throws: errors come back as `{ ok: false, error }`. */
  async invoke(method: unknown, input: unknown): Promise<StudioResult<unknown>> {
    try {
      const name = assertStudioMethod(method);
      const parsed = parseStudioInput(name, input);
      if (this.closing) throw new InvalidStateError('the studio is shutting down');
      await this.start();
      const handler = this[name] as (input: unknown) => Promise<unknown>;
      const value = await handler.call(this, parsed);
      return { ok: true, value: value === undefined ? null : value };
    } catch (error) {
      if (!(error instanceof LinkMicError)) this.logger.error('studio method failed', { method: String(method), error: String(error) });
      return { ok: false, error: toErrorPayload(error) };
    }
  }

  /** A PCM frame of the renderer's echo-cancelled mic (s16le 48 kHz mono). Bad frames are reported, never thrown. */
  pushAudioFrame(frame: Uint8Array): void {
    try {
      assertPcmFrameLength(frame.byteLength);
    } catch (error) {
      this.audioFramesDropped += 1;
      this.report('audio', toErrorPayload(error));
      return;
    }
    this.audioFramesIn += 1;
    if (this.push && this.settings?.sources.audio.kind === 'renderer-mic') this.push.pushPcm(frame);
    else this.audioFramesDropped += 1;
  }

  /** The contract as an in-process client (validates like a host does; for tests and embedding). */
  api(): StudioApi {
    return createStudioClient({
      call: (method, input) => this.invoke(method, input),
      sendAudioFrame: (frame) => this.pushAudioFrame(new Uint8Array(frame)),
      subscribe: (event, listener) => {
        const subscription = this.events.on(event, listener);
        return () => subscription.dispose();
      },
    });
  }

  // ------------------------------------------------------------------ state and settings

  async getState(): Promise<StudioState> {
    return this.snapshot();
  }

  async getSettings(): Promise<StudioSettings> {
    return structuredClone(this.requireSettings());
  }

  async updateSettings(patch: StudioParsedInput<'updateSettings'>): Promise<StudioSettings> {
    const next: StudioSettings = { ...this.requireSettings(), ...patch };
    await this.saveSettings(next);
    if (patch.ffmpegPath !== undefined) await this.refreshFfmpeg();
    return structuredClone(next);
  }

  async setAudioProcessing(input: StudioParsedInput<'setAudioProcessing'>): Promise<StudioSettings['audioProcessing']> {
    const settings = this.requireSettings();
    const audioProcessing = { ...settings.audioProcessing, ...input };
    await this.saveSettings({ ...settings, audioProcessing });
    return audioProcessing;
  }

  async listSources(): Promise<StudioOutput<'listSources'>> {
    return this.options.engine.listSources(this.requireSettings().ffmpegPath);
  }

  async setSources(input: StudioParsedInput<'setSources'>): Promise<StudioSettings['sources']> {
    await this.saveSettings({ ...this.requireSettings(), sources: input });
    await this.restartPush();
    return input;
  }

  async probeEncoders(): Promise<StudioOutput<'probeEncoders'>> {
    const settings = this.requireSettings();
    const result = await this.options.engine.probeEncoders(settings.ffmpegPath, settings.encoder.preference);
    this.encoders = result.encoders;
    this.changed();
    return result;
  }

  async setEncoder(input: StudioParsedInput<'setEncoder'>): Promise<StudioSettings['encoder']> {
    await this.saveSettings({ ...this.requireSettings(), encoder: input });
    await this.restartPush();
    return input;
  }

  // ------------------------------------------------------------------ server profile

  async getServerProfile(): Promise<ServerState> {
    return { ...this.server };
  }

  async setServerProfile(input: StudioParsedInput<'setServerProfile'>): Promise<ServerState> {
    const settings = this.requireSettings();
    if (input.kind === 'remote') {
      if (input.token !== undefined) await this.options.secrets.set(remoteTokenKey(input.httpUrl, input.userId), input.token);
      await this.saveSettings({ ...settings, server: { kind: 'remote', httpUrl: input.httpUrl, userId: input.userId } });
    } else {
      await this.saveSettings({ ...settings, server: { kind: 'embedded', rtmpPort: input.rtmpPort ?? 0, httpPort: input.httpPort ?? 0 } });
    }
    await this.stopPush();
    await this.disconnect();
    await this.connect();
    return { ...this.server };
  }

  // ------------------------------------------------------------------ engine (built-in ffmpeg or OBS Studio)

  async setEngine(input: StudioParsedInput<'setEngine'>): Promise<EngineView> {
    const settings = this.requireSettings();
    if (input.obsPassword !== undefined) {
      if (input.obsPassword === '') await this.options.secrets.delete(OBS_PASSWORD_KEY);
      else await this.options.secrets.set(OBS_PASSWORD_KEY, input.obsPassword);
      this.obsPasswordStored = input.obsPassword !== '';
    }
    const obsUrl = input.obsUrl ?? (settings.engine ?? DEFAULT_ENGINE_SETTINGS).obsUrl;
    await this.saveSettings({ ...settings, engine: { kind: input.kind, obsUrl } });
    return engineView(this.requireSettings(), this.obsPasswordStored);
  }

  async testObsConnection(input: StudioParsedInput<'testObsConnection'>): Promise<ObsDescription> {
    const saved = this.requireSettings().engine ?? DEFAULT_ENGINE_SETTINGS;
    const password = input?.obsPassword ?? (await this.options.secrets.get(OBS_PASSWORD_KEY));
    return testObsConnection(input?.obsUrl ?? saved.obsUrl, password);
  }

  // ------------------------------------------------------------------ live

  async goLive(input: StudioParsedInput<'goLive'>): Promise<LiveState> {
    if (this.push || this.pushStarting) throw new InvalidStateError(`already pushing (${this.live.status})`);
    const settings = this.requireSettings();
    const streamCode = input?.streamCode ?? settings.streamCode;
    if (!this.room || this.room.streamCode !== streamCode || !this.pushUrl) await this.openRoom({ streamCode });
    await this.startPush(this.pushUrl!, 'big', streamCode);
    return this.live;
  }

  async stopLive(): Promise<LiveState> {
    await this.stopPush();
    return this.live;
  }

  // ------------------------------------------------------------------ rooms

  async openRoom(input: StudioParsedInput<'openRoom'>): Promise<RoomView> {
    const settings = this.requireSettings();
    const streamCode = input?.streamCode ?? settings.streamCode;
    const result = await this.signal().request('room.open', {
      streamCode,
      ...(this.room?.streamCode === streamCode ? { sessionId: this.room.sessionId } : {}),
      allowLinkRequests: input?.allowLinkRequests ?? settings.room.allowLinkRequests,
      guestLimit: input?.guestLimit ?? settings.room.guestLimit,
      // Client-side mix unless asked (spec §7): the push URL then carries no t_id.
      serverMix:
        input?.serverMix !== undefined
          ? input.serverMix
          : settings.room.serverMix === true
            ? { templateId: input?.templateId ?? settings.room.templateId }
            : null,
    });
    this.pushUrl = result.pushUrl;
    this.setRoom(roomView(result.room));
    return this.room!;
  }

  async updateRoom(input: StudioParsedInput<'updateRoom'>): Promise<RoomView> {
    const room = this.requireRoom();
    const result = await this.signal().request('room.update', { roomId: room.roomId, ...input });
    const pushUrlChanged = this.pushUrl !== null && result.pushUrl !== this.pushUrl;
    this.pushUrl = result.pushUrl;
    this.setRoom(roomView(result.room));
    // A mix change changes the push URL (t_id): a live big-host push restarts with the new one.
    if (pushUrlChanged && input.serverMix !== undefined) await this.restartPush(result.pushUrl);
    return this.room!;
  }

  async closeRoom(): Promise<null> {
    const room = this.requireRoom();
    await this.stopPush();
    await this.signal().request('room.close', { roomId: room.roomId });
    this.room = null;
    this.pushUrl = null;
    for (const [id, link] of this.links) if (link.roomId === room.roomId) this.links.delete(id);
    for (const [id, request] of this.linkRequests) if (request.roomId === room.roomId) this.linkRequests.delete(id);
    if (this.pk?.roomId === room.roomId) this.pk = null;
    this.layout = null;
    this.changed();
    return null;
  }

  async joinRoom(input: StudioParsedInput<'joinRoom'>): Promise<RoomView> {
    const result = await this.signal().request('room.join', { roomId: input.roomId });
    this.joinedRooms.add(input.roomId);
    if (result.room.layout) this.layout = result.room.layout;
    this.changed();
    return roomView(result.room);
  }

  async leaveRoom(input: StudioParsedInput<'leaveRoom'>): Promise<null> {
    await this.signal().request('room.leave', { roomId: input.roomId });
    this.joinedRooms.delete(input.roomId);
    this.changed();
    return null;
  }

  // ------------------------------------------------------------------ link-mic

  async requestLinkMic(input: StudioParsedInput<'requestLinkMic'>): Promise<{ requestId: string; expiresAt: number }> {
    const signal = this.signal();
    if (!this.joinedRooms.has(input.roomId)) await this.joinRoom({ roomId: input.roomId });
    const result = await signal.request('link.request', { roomId: input.roomId, streamCode: this.requireSettings().streamCode });
    const view: LinkRequestView = { requestId: result.requestId, roomId: input.roomId, direction: 'outgoing', from: signal.userId, streamCode: this.requireSettings().streamCode, expiresAt: result.expiresAt };
    this.linkRequests.set(result.requestId, view);
    this.events.emit('linkRequest', view);
    this.changed();
    return result;
  }

  async cancelLinkMic(input: StudioParsedInput<'cancelLinkMic'>): Promise<null> {
    await this.signal().request('link.cancel', { requestId: input.requestId });
    this.linkRequests.delete(input.requestId);
    this.changed();
    return null;
  }

  async acceptLinkMic(input: StudioParsedInput<'acceptLinkMic'>): Promise<LinkView> {
    const link = await this.signal().request('link.accept', { requestId: input.requestId });
    this.linkRequests.delete(input.requestId);
    this.addLink(link);
    return this.linkViewOf(link);
  }

  async rejectLinkMic(input: StudioParsedInput<'rejectLinkMic'>): Promise<null> {
    await this.signal().request('link.reject', { requestId: input.requestId, ...(input.reason === undefined ? {} : { reason: input.reason }) });
    this.linkRequests.delete(input.requestId);
    this.changed();
    return null;
  }

  async kickCoHost(input: StudioParsedInput<'kickCoHost'>): Promise<null> {
    await this.signal().request('link.kick', { linkId: input.linkId });
    await this.removeLink(input.linkId);
    return null;
  }

  async hangUp(input: StudioParsedInput<'hangUp'>): Promise<null> {
    await this.signal().request('link.hangup', { linkId: input.linkId });
    await this.removeLink(input.linkId);
    return null;
  }

  // ------------------------------------------------------------------ PK

  async invitePk(input: StudioParsedInput<'invitePk'>): Promise<{ pkId: string; expiresAt: number }> {
    const room = this.requireRoom();
    const result = await this.signal().request('pk.invite', { roomId: input.roomId });
    const view: PkInviteView = { pkId: result.pkId, direction: 'outgoing', from: this.signal().userId, fromRoomId: room.roomId, toRoomId: input.roomId, expiresAt: result.expiresAt };
    this.pkInvites.set(result.pkId, view);
    this.events.emit('pkInvite', view);
    this.changed();
    return result;
  }

  async cancelPkInvite(input: StudioParsedInput<'cancelPkInvite'>): Promise<null> {
    await this.signal().request('pk.cancel', { pkId: input.pkId });
    this.pkInvites.delete(input.pkId);
    this.changed();
    return null;
  }

  async acceptPk(input: StudioParsedInput<'acceptPk'>): Promise<PkView> {
    const pk = await this.signal().request('pk.accept', { pkId: input.pkId });
    this.pkInvites.delete(input.pkId);
    this.setPk(pk);
    return this.pkViewOf(pk);
  }

  async rejectPk(input: StudioParsedInput<'rejectPk'>): Promise<null> {
    await this.signal().request('pk.reject', { pkId: input.pkId, ...(input.reason === undefined ? {} : { reason: input.reason }) });
    this.pkInvites.delete(input.pkId);
    this.changed();
    return null;
  }

  async endPk(input: StudioParsedInput<'endPk'>): Promise<null> {
    await this.signal().request('pk.end', { pkId: input.pkId });
    if (this.pk?.pkId === input.pkId) this.pk = null;
    this.changed();
    return null;
  }

  // ------------------------------------------------------------------ layout and co-host audio

  async setLayout(input: StudioParsedInput<'setLayout'>): Promise<Layout> {
    const room = this.requireRoom();
    const result = await this.signal().request('layout.set', { roomId: room.roomId, layout: input.layout });
    this.layout = result.layout;
    this.room = { ...room, layout: result.layout };
    this.changed();
    return result.layout;
  }

  async setCoHostAudio(input: StudioParsedInput<'setCoHostAudio'>): Promise<StudioOutput<'setCoHostAudio'>> {
    const isCoHost = [...this.links.values()].some((l) => l.peer.userId === input.userId) || this.pk?.peer.userId === input.userId;
    if (!isCoHost) throw new LinkMicError('INVALID_ARGUMENT', `${input.userId} is not a co-host right now`, { field: 'userId' });
    const current = this.coHostAudio.get(input.userId) ?? DEFAULT_CO_HOST_AUDIO;
    const next: CoHostAudio = { muted: input.muted ?? current.muted, volume: input.volume ?? current.volume };
    this.coHostAudio.set(input.userId, next);
    this.changed();
    return { userId: input.userId, ...next };
  }

  // ------------------------------------------------------------------ internals: server

  private serverUserId(): string {
    const settings = this.requireSettings();
    return settings.server.kind === 'remote' ? settings.server.userId : settings.userId;
  }

  private async connect(): Promise<void> {
    const settings = this.requireSettings();
    const profile = settings.server;
    const userId = this.serverUserId();
    const token = profile.kind === 'remote' ? await this.options.secrets.get(remoteTokenKey(profile.httpUrl, profile.userId)) : null;
    this.server = { ...this.server, kind: profile.kind, status: 'starting', signal: 'connecting', userId, hasToken: token !== null, lastError: null, httpUrl: null, rtmpUrl: null };
    this.changed();
    let connection: ServerConnection;
    try {
      connection = await this.options.connectServer({ profile, userId, token });
    } catch (error) {
      const payload = toErrorPayload(error);
      this.server = { ...this.server, status: 'error', signal: 'disconnected', lastError: payload };
      this.report('server', payload);
      this.changed();
      throw error;
    }
    if (this.closing) {
      await connection.close();
      return;
    }
    this.connection = connection;
    this.server = { ...this.server, status: 'running', signal: 'connected', httpUrl: connection.httpUrl, rtmpUrl: connection.rtmpUrl };
    this.subscribeSignal(connection);
    if (connection.signal.initialState) this.applyUserState(connection.signal.initialState);
    this.changed();
  }

  private async disconnect(): Promise<void> {
    this.connectionSubscriptions.dispose();
    this.connectionSubscriptions = new DisposableStore();
    const connection = this.connection;
    this.connection = null;
    this.room = null;
    this.pushUrl = null;
    this.joinedRooms.clear();
    this.links.clear();
    this.linkRequests.clear();
    this.pk = null;
    this.pkInvites.clear();
    this.layout = null;
    this.server = { ...this.server, status: 'stopped', signal: 'disconnected', httpUrl: null, rtmpUrl: null };
    this.changed();
    await connection?.close().catch((error: unknown) => this.logger.warn('closing the server connection failed', { error: String(error) }));
  }

  private subscribeSignal(connection: ServerConnection): void {
    const signal = connection.signal;
    const store = this.connectionSubscriptions;
    store.add(
      signal.onStatus((status, error) => {
        this.server = { ...this.server, signal: status, lastError: error ?? this.server.lastError };
        if (error) this.report('signal', error);
        this.changed();
      }),
    );
    store.add(
      signal.on('room.updated', ({ room }) => {
        if (this.room && room.roomId === this.room.roomId) this.setRoom(roomView(room));
      }),
    );
    store.add(
      signal.on('room.closed', ({ roomId }) => {
        this.joinedRooms.delete(roomId);
        this.changed();
      }),
    );
    store.add(
      signal.on('link.requested', (event) => {
        const view: LinkRequestView = { requestId: event.requestId, roomId: event.roomId, direction: 'incoming', from: event.from, streamCode: event.streamCode, expiresAt: event.expiresAt };
        this.linkRequests.set(event.requestId, view);
        this.events.emit('linkRequest', view);
        this.changed();
      }),
    );
    store.add(
      signal.on('link.requestEnded', (event) => {
        this.linkRequests.delete(event.requestId);
        this.events.emit('linkRequestEnded', { requestId: event.requestId, roomId: event.roomId, outcome: event.outcome, reason: event.reason ?? null });
        this.changed();
      }),
    );
    store.add(
      signal.on('link.started', (link) => {
        for (const [id, request] of this.linkRequests) if (request.roomId === link.roomId && request.direction === 'outgoing') this.linkRequests.delete(id);
        this.addLink(link);
      }),
    );
    store.add(
      signal.on('link.ended', (event) => {
        const known = this.links.has(event.linkId);
        void this.removeLink(event.linkId).then(() => {
          if (known) this.events.emit('linkEnded', { linkId: event.linkId, roomId: event.roomId, reason: event.reason, by: event.by ?? null });
        });
      }),
    );
    store.add(
      signal.on('pk.invited', (event) => {
        const view: PkInviteView = { pkId: event.pkId, direction: 'incoming', from: event.from, fromRoomId: event.fromRoomId, toRoomId: event.toRoomId, expiresAt: event.expiresAt };
        this.pkInvites.set(event.pkId, view);
        this.events.emit('pkInvite', view);
        this.changed();
      }),
    );
    store.add(
      signal.on('pk.inviteEnded', (event) => {
        this.pkInvites.delete(event.pkId);
        this.events.emit('pkInviteEnded', { pkId: event.pkId, outcome: event.outcome, reason: event.reason ?? null });
        this.changed();
      }),
    );
    store.add(
      signal.on('pk.started', (pk) => {
        this.pkInvites.delete(pk.pkId);
        this.setPk(pk);
      }),
    );
    store.add(
      signal.on('pk.ended', (event) => {
        if (this.pk?.pkId === event.pkId) {
          this.pk = null;
          this.events.emit('pkEnded', { pkId: event.pkId, reason: event.reason, by: event.by ?? null });
          this.changed();
        }
      }),
    );
    store.add(
      signal.on('layout.changed', (event) => {
        this.layout = event.layout;
        if (this.room && this.room.roomId === event.roomId) this.room = { ...this.room, layout: event.layout, audienceUrls: { ...event.audienceUrls } };
        this.events.emit('layout', { roomId: event.roomId, layout: event.layout, audienceUrls: event.audienceUrls });
        this.changed();
      }),
    );
  }

  private applyUserState(state: UserState): void {
    if (state.hostedRoom) this.room = roomView(state.hostedRoom);
    for (const roomId of state.joinedRooms) this.joinedRooms.add(roomId);
    for (const link of state.links) this.links.set(link.linkId, link);
    this.pk = state.pk;
    this.layout = state.hostedRoom?.layout ?? null;
  }

  private signal() {
    if (!this.connection) {
      throw new LinkMicError(this.server.status === 'error' ? (this.server.lastError?.code ?? 'SERVER_UNREACHABLE') : 'SERVER_UNREACHABLE', 'not connected to a link-mic server');
    }
    return this.connection.signal;
  }

  // ------------------------------------------------------------------ internals: links

  private linkViewOf(link: LinkStarted): LinkView {
    return linkView(link, this.coHostAudio.get(link.peer.userId) ?? DEFAULT_CO_HOST_AUDIO);
  }

  private pkViewOf(pk: PkStarted): PkView {
    return pkView(pk, this.coHostAudio.get(pk.peer.userId) ?? DEFAULT_CO_HOST_AUDIO);
  }

  private addLink(link: LinkStarted): void {
    const isNew = !this.links.has(link.linkId);
    this.links.set(link.linkId, link);
    if (isNew) this.events.emit('linkStarted', this.linkViewOf(link));
    this.changed();
    // A guest pushes as small host (layer:s) with the host's session_id, on the URL the server issued.
    if (isNew && link.role === 'guest' && link.pushUrl) {
      const url = link.pushUrl;
      void (async () => {
        await this.stopPush();
        await this.startPush(url, 'small', link.peer.streamCode === this.settings?.streamCode ? null : (this.settings?.streamCode ?? null));
      })().catch((error: unknown) => this.report('push', toErrorPayload(error)));
    }
  }

  private async removeLink(linkId: string): Promise<void> {
    const link = this.links.get(linkId);
    if (!link) return;
    this.links.delete(linkId);
    this.changed();
    if (link.role === 'guest' && this.live.role === 'small') await this.stopPush();
  }

  private setPk(pk: PkStarted): void {
    const isNew = this.pk?.pkId !== pk.pkId;
    this.pk = pk;
    if (isNew) this.events.emit('pkStarted', this.pkViewOf(pk));
    this.changed();
  }

  private setRoom(room: RoomView): void {
    this.room = room;
    if (room.layout) this.layout = room.layout;
    this.changed();
  }

  // ------------------------------------------------------------------ internals: push

  private encoderSettings(role: PushRole): EncoderSettings {
    const settings = this.requireSettings();
    return { ...encoderPresetFor(role), ...(settings.encoder.overrides ?? {}), enableAEC: settings.audioProcessing.echoCancellation };
  }

  private startPush(url: string, role: PushRole, streamCode: string | null): Promise<void> {
    this.currentPush = { url, role, streamCode };
    const starting = this.doStartPush(url, role, streamCode).finally(() => {
      if (this.pushStarting === starting) this.pushStarting = null;
    });
    this.pushStarting = starting;
    return starting;
  }

  private async doStartPush(url: string, role: PushRole, streamCode: string | null): Promise<void> {
    const settings = this.requireSettings();
    this.live = { ...OFFLINE, status: 'starting', role, streamCode };
    this.stats = null;
    this.emitPush(null);
    this.changed();
    let session: PushSession;
    try {
      session = await this.options.engine.startPush({
        url,
        role,
        sources: settings.sources,
        encoder: settings.encoder,
        settings: this.encoderSettings(role),
        ffmpegPath: settings.ffmpegPath,
        engine: settings.engine ?? DEFAULT_ENGINE_SETTINGS,
      });
    } catch (error) {
      const payload = toErrorPayload(error);
      this.live = { ...OFFLINE, lastError: payload };
      this.emitPush(payload);
      this.changed();
      throw error;
    }
    if (this.closing || this.stopRequested) {
      this.stopRequested = false;
      await session.close();
      this.live = OFFLINE;
      this.emitPush(null);
      this.changed();
      return;
    }
    this.push = session;
    const store = new DisposableStore();
    this.pushSubscriptions = store;
    this.live = {
      ...this.live,
      encoder: session.encoder,
      status: session.status,
      reconnectAttempt: session.reconnectAttempt,
      startedAt: session.status === 'live' ? this.now() : null,
    };
    this.emitPush(null);
    store.add(
      session.events.on('status', ({ status, attempt }) => {
        this.live = { ...this.live, status, reconnectAttempt: attempt, startedAt: status === 'live' ? (this.live.startedAt ?? this.now()) : this.live.startedAt };
        this.emitPush(null);
        this.changed();
      }),
    );
    store.add(
      session.events.on('stats', (stats) => {
        this.stats = { ...stats, at: this.now(), audioFramesIn: this.audioFramesIn, audioFramesDropped: this.audioFramesDropped };
        this.events.emit('stats', this.stats);
      }),
    );
    store.add(
      session.events.on('error', (error) => {
        this.live = { ...this.live, lastError: error };
        this.report('push', error);
        this.changed();
      }),
    );
    store.add(
      session.events.on('close', ({ closedByUs, error }) => {
        if (closedByUs || this.push !== session) return;
        this.push = null;
        store.dispose();
        this.live = { ...OFFLINE, lastError: error };
        if (error) this.report('push', error);
        this.emitPush(error);
        this.changed();
      }),
    );
    this.changed();
  }

  /**
   * Restarts the current push (same role) so new sources / encoder settings apply; `bigHostUrl`
   * replaces the URL of a big-host push (our room's mix changed).
   */
  private async restartPush(bigHostUrl?: string): Promise<void> {
    const current = this.currentPush;
    if (!current || (!this.push && !this.pushStarting)) return;
    if (bigHostUrl !== undefined && current.role !== 'big') return;
    await this.stopPush();
    await this.startPush(bigHostUrl ?? current.url, current.role, current.streamCode);
  }

  private async stopPush(): Promise<void> {
    if (this.pushStarting) {
      // Stop a push that is still starting: it closes itself as soon as the engine hands it over.
      this.stopRequested = true;
      await this.pushStarting.catch(() => undefined);
      this.stopRequested = false;
    }
    const session = this.push;
    if (!session) return;
    this.push = null;
    this.live = { ...this.live, status: 'stopping' };
    this.emitPush(null);
    this.changed();
    try {
      await session.close();
    } finally {
      this.pushSubscriptions?.dispose();
      this.pushSubscriptions = null;
      this.live = OFFLINE;
      this.emitPush(null);
      this.changed();
    }
  }

  private emitPush(error: ErrorPayload | null): void {
    this.events.emit('push', { status: this.live.status, attempt: this.live.reconnectAttempt, error });
  }

  // ------------------------------------------------------------------ internals: misc

  private async refreshFfmpeg(): Promise<void> {
    try {
      this.ffmpeg = await this.options.engine.describeFfmpeg(this.requireSettings().ffmpegPath);
    } catch (error) {
      this.ffmpeg = { path: null, version: null, error: toErrorPayload(error) };
    }
    if (this.ffmpeg.error) this.report('ffmpeg', this.ffmpeg.error);
    this.changed();
  }

  private requireSettings(): StudioSettings {
    if (!this.settings) throw new InvalidStateError('the studio has not started');
    return this.settings;
  }

  private requireRoom(): RoomView {
    if (!this.room) throw new InvalidStateError('open your room first');
    return this.room;
  }

  private async saveSettings(next: StudioSettings): Promise<void> {
    await this.options.settings.save(next);
    this.settings = next;
    this.events.emit('settings', structuredClone(next));
    this.changed();
  }

  private report(context: string, error: ErrorPayload): void {
    this.logger.warn(`${context}: ${error.message}`, { code: error.code });
    this.events.emit('error', { ...error, context });
  }

  private snapshot(): StudioState {
    const settings = this.requireSettings();
    return {
      revision: this.revision,
      live: this.live,
      server: { ...this.server },
      room: this.room,
      joinedRooms: [...this.joinedRooms],
      links: [...this.links.values()].map((l) => this.linkViewOf(l)),
      linkRequests: [...this.linkRequests.values()],
      pk: this.pk ? this.pkViewOf(this.pk) : null,
      pkInvites: [...this.pkInvites.values()],
      layout: this.layout,
      sources: settings.sources,
      encoder: { ...settings.encoder, available: this.encoders },
      audioProcessing: settings.audioProcessing,
      stats: this.stats,
      ffmpeg: this.ffmpeg,
      engine: engineView(settings, this.obsPasswordStored),
    };
  }

  /** Marks the state changed; one `state` event per burst of changes. */
  private changed(): void {
    this.revision += 1;
    if (this.statePending || !this.settings) return;
    this.statePending = true;
    queueMicrotask(() => {
      this.statePending = false;
      if (this.settings) this.events.emit('state', this.snapshot());
    });
  }
}

export type HelloState = RequestResult<'hello'>['state'];
