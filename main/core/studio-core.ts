// StudioCore: the studio's brain, with no Electron import. It keeps the lifecycle, the settings
// and the StudioApi entry points; the parts it is built from each have their own file:
//   server-session.ts    the connection to the link-mic server (embedded by default, or remote)
//   room-mirror.ts       the room / link / PK / layout state the server holds for us
//   link-mic-actions.ts  the link-mic methods of the API (rooms, link-mic, PK, layout, co-host audio)
//   ../push/push-controller.ts  the one owner of the push (over the push engine port)
// Hosts (Electron IPC, the web bridge) call `invoke(method, input)`, which validates the input and
// answers with an envelope; `api()` is the same as an in-process client.
import { InvalidStateError, LinkMicError, toErrorPayload, type ErrorPayload } from '../../common/errors';
import type { LinkStarted, RequestResult } from '../../common/signal/messages';
import { assertPcmFrameLength, assertStudioMethod, createStudioClient, parseStudioInput, DEFAULT_ENGINE_SETTINGS } from '../../common/studio-api';
import type { LiveState, ServerState, StudioApi, StudioEvents, StudioMethodName, StudioOutput, StudioParsedInput, StudioResult, StudioSettings, StudioState, EncoderInfo, FfmpegState, EngineView, ObsDescription, RecordingState } from '../../common/studio-api';
import { TypedEmitter, type Disposable } from '../../common/typed-emitter';
import { engineView, testObsConnection } from '../obs/obs-settings';
import { OBS_PASSWORD_KEY } from '../obs/selectable-engine';
import { SecretLeftoverStore } from '../obs/obs-stream-leftover';
import { PushController } from '../push/push-controller';
import { RecordingController, type RecordingControllerOptions } from '../recording/recording-controller';
import { assertWritableFolder, defaultRecordingsDir } from '../recording/recording-files';
import type { SecretStore } from '../settings/secret-store';
import type { SettingsStore } from '../settings/settings-store';
import type { LinkMicMethodName } from '../../common/studio-api/names';
import { isLinkMicMethod, LinkMicActions } from './link-mic-actions';
import { silentCoreLogger, type CoreLogger, type ServerConnector, type StudioEngine } from './ports';
import { RoomMirror } from './room-mirror';
import { remoteTokenKey, ServerSession } from './server-session';

export { remoteTokenKey } from './server-session';

export interface StudioCoreOptions {
  readonly settings: SettingsStore;
  readonly secrets: SecretStore;
  readonly engine: StudioEngine;
  readonly connectServer: ServerConnector;
  readonly logger?: CoreLogger;
  readonly now?: () => number;
  /** Recording thresholds (free-disk minimum, check period). */
  readonly recording?: RecordingControllerOptions;
}

/** The core's handler per method: validated input in, value out. */
export type StudioHandlers = { [K in StudioMethodName]: (input: StudioParsedInput<K>) => Promise<StudioOutput<K>> };

export class StudioCore implements Omit<StudioHandlers, LinkMicMethodName> {
  readonly events: TypedEmitter<StudioEvents>;
  private readonly closeEvents = new TypedEmitter<{ close: void }>();
  private readonly logger: CoreLogger;
  private readonly mirror: RoomMirror;
  private readonly server: ServerSession;
  private readonly push: PushController;
  private readonly linkMic: LinkMicActions;
  private readonly recorder: RecordingController;

  private settings: StudioSettings | undefined;
  private started: Promise<void> | undefined;
  private closing: Promise<void> | undefined;
  private encoders: EncoderInfo[] | null = null;
  private ffmpeg: FfmpegState = { path: null, version: null, error: null };
  private audioFramesIn = 0;
  private audioFramesDropped = 0;
  private revision = 0;
  private statePending = false;
  private obsPasswordStored = false;

  constructor(private readonly options: StudioCoreOptions) {
    this.logger = options.logger ?? silentCoreLogger;
    const onListenerError = (error: unknown, event: string) => this.logger.error('studio event listener threw', { event, error: String(error) });
    this.events = new TypedEmitter<StudioEvents>(onListenerError);
    const changed = () => this.changed();
    const closing = () => this.closing !== undefined;
    const settings = () => this.requireSettings();
    this.push = new PushController({
      engine: options.engine,
      now: options.now ?? Date.now,
      settings,
      closing,
      audioCounters: () => ({ audioFramesIn: this.audioFramesIn, audioFramesDropped: this.audioFramesDropped }),
      onListenerError,
    });
    this.push.events.on('push', (event) => this.events.emit('push', event));
    this.push.events.on('stats', (stats) => this.events.emit('stats', stats));
    this.push.events.on('error', (error) => this.report('push', error));
    this.push.events.on('changed', changed);
    this.mirror = new RoomMirror({
      events: this.events,
      changed,
      onGuestLinkStarted: (link) => this.pushAsGuest(link),
      onGuestLinkEnded: async () => {
        if (this.push.live.role === 'small') await this.push.stop();
      },
    });
    this.server = new ServerSession({ connectServer: options.connectServer, secrets: options.secrets, mirror: this.mirror, logger: this.logger, closing, changed, report: (context, error) => this.report(context, error) });
    this.linkMic = new LinkMicActions({ mirror: this.mirror, push: this.push, signal: () => this.server.signal(), settings });
    this.recorder = new RecordingController({
      ...options.recording,
      ffmpegPath: () => this.ffmpeg.path,
      folder: () => this.settings?.recording?.folder ?? defaultRecordingsDir(),
      sources: () => ({ live: this.push.live, ...this.mirror.snapshot() }),
      now: options.now ?? Date.now,
      changed,
      report: (error) => this.report('recording', error),
    });
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
    this.server.describe(this.settings);
    this.obsPasswordStored = Boolean(await this.options.secrets.get(OBS_PASSWORD_KEY));
    await this.refreshFfmpeg();
    await this.server.connect(this.settings).catch(() => undefined);
  }

  get closed(): boolean {
    return this.closing !== undefined;
  }

  /** Stops the push (ffmpeg), the signal connection and the embedded server; emits `close` once. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.started?.catch(() => undefined);
      await this.recorder.close();
      await this.push.stop().catch((error: unknown) => this.logger.warn('stopping the push failed', { error: String(error) }));
      await this.server.disconnect();
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
      const value = await this.handlerOf(name)(parsed);
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
    const written = this.settings?.sources.audio.kind === 'renderer-mic' && this.push.pushPcm(frame);
    if (!written) this.audioFramesDropped += 1;
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

  private handlerOf(name: StudioMethodName): (input: unknown) => Promise<unknown> {
    const owner: object = isLinkMicMethod(name) ? this.linkMic : this;
    const handler = (owner as Record<string, (input: unknown) => Promise<unknown>>)[name]!;
    return (input) => handler.call(owner, input);
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
    await this.push.restart();
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
    await this.push.restart();
    return input;
  }

  // ------------------------------------------------------------------ server profile

  async getServerProfile(): Promise<ServerState> {
    return this.server.state;
  }

  async setServerProfile(input: StudioParsedInput<'setServerProfile'>): Promise<ServerState> {
    const settings = this.requireSettings();
    if (input.kind === 'remote') {
      if (input.token !== undefined) await this.options.secrets.set(remoteTokenKey(input.httpUrl, input.userId), input.token);
      await this.saveSettings({ ...settings, server: { kind: 'remote', httpUrl: input.httpUrl, userId: input.userId } });
    } else {
      await this.saveSettings({ ...settings, server: { kind: 'embedded', rtmpPort: input.rtmpPort ?? 0, httpPort: input.httpPort ?? 0 } });
    }
    await this.push.stop();
    await this.server.disconnect();
    await this.server.connect(this.requireSettings());
    return this.server.state;
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
    return testObsConnection(input?.obsUrl ?? saved.obsUrl, password, new SecretLeftoverStore(this.options.secrets));
  }

  // ------------------------------------------------------------------ live

  async goLive(input: StudioParsedInput<'goLive'>): Promise<LiveState> {
    if (this.push.active) throw new InvalidStateError(`already pushing (${this.push.live.status})`);
    const streamCode = input?.streamCode ?? this.requireSettings().streamCode;
    if (this.mirror.room?.streamCode !== streamCode || !this.mirror.pushUrl) await this.linkMic.openRoom({ streamCode });
    await this.push.start(this.mirror.pushUrl!, 'big', streamCode);
    return this.push.live;
  }

  async stopLive(): Promise<LiveState> {
    await this.push.stop();
    return this.push.live;
  }

  // ------------------------------------------------------------------ recording (main/recording/)

  async startRecording(input: StudioParsedInput<'startRecording'>): Promise<RecordingState> {
    return this.recorder.start({ iso: input?.iso ?? this.settings?.recording?.iso ?? false });
  }

  async stopRecording(): Promise<RecordingState> {
    return this.recorder.stop();
  }

  async setRecordingFolder(input: StudioParsedInput<'setRecordingFolder'>): Promise<RecordingState> {
    await assertWritableFolder(input.folder);
    const settings = this.requireSettings();
    await this.saveSettings({ ...settings, recording: { iso: settings.recording?.iso ?? false, folder: input.folder } });
    return this.recorder.state;
  }

  /** A guest pushes as small host (layer:s) with the host's session_id, on the URL the server issued. */
  private pushAsGuest(link: LinkStarted): void {
    const url = link.pushUrl!;
    const ownCode = this.settings?.streamCode ?? null;
    void (async () => {
      await this.push.stop();
      await this.push.start(url, 'small', link.peer.streamCode === ownCode ? null : ownCode);
    })().catch((error: unknown) => this.report('push', toErrorPayload(error)));
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
      live: this.push.live,
      server: this.server.state,
      ...this.mirror.snapshot(),
      sources: settings.sources,
      encoder: { ...settings.encoder, available: this.encoders },
      audioProcessing: settings.audioProcessing,
      stats: this.push.stats,
      ffmpeg: this.ffmpeg,
      engine: engineView(settings, this.obsPasswordStored),
      recording: this.recorder.state,
    };
  }

  /** Marks the state changed; one `state` event per burst of changes. */
  private changed(): void {
    this.revision += 1;
    if (this.statePending || !this.settings) return;
    this.statePending = true;
    queueMicrotask(() => {
      this.statePending = false;
      if (!this.settings) return;
      this.recorder.follow();
      this.events.emit('state', this.snapshot());
    });
  }
}

export type HelloState = RequestResult<'hello'>['state'];
