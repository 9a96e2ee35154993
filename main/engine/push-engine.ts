// The engine the studio's main process runs: finds ffmpeg, picks the encoder, and runs one push
// at a time from role presets. Switching role (audience <-> small host, big host) restarts ffmpeg
// with the new preset and URL; no app restart. Plain Node: no Electron import.
import { z } from 'zod';
import { InvalidStateError, LinkMicError, ValidationError } from '../../common/errors';
import { encoderPresetFor, encoderSettingsSchema, type EncoderSettings, type Role } from '../../common/presets';
import { DisposableStore, TypedEmitter } from '../../common/typed-emitter';
import { listDevices, type DeviceList } from './device-lister';
import { SOFTWARE_ENCODER } from '../../common/encoder-kinds';
import { HARDWARE_ENCODERS, type EncoderArgsOptions, type VideoEncoder } from './encoder-args';
import { selectEncoder, tryEncoder, type EncoderSelection } from './encoder-probe';
import { locateFfmpeg, type FfmpegInfo } from './ffmpeg-locator';
import { silentLogger, type Logger } from '../../node/logger';
import type { PcmFeederStats, PcmFrame } from './pcm-feeder';
import { buildPushCommand } from './push-command';
import { Pusher } from './pusher';
import type { BackoffOptions, PushState, PushStats, StopReason } from './pusher-types';
import { sourceSetupSchema, type SourceSetup, type SourceSetupInput } from './sources';
import type { ErrorPayload } from '../../common/errors';

export type PushRole = Exclude<Role, 'audience'>;
/** `auto` = hardware first, libx264 fallback; `software` = libx264; or one encoder by name. */
export type EncoderPreference = 'auto' | 'software' | VideoEncoder;

export interface PushEngineOptions {
  /** The user's setting; null/undefined = discover (bundled, then PATH). */
  readonly ffmpegPath?: string | null;
  /** The app's resources folder (bundled `ffmpeg/<platform>-<arch>/ffmpeg`). */
  readonly resourcesDir?: string;
  readonly logger?: Logger;
  readonly platform?: NodeJS.Platform;
  readonly backoff?: BackoffOptions;
  readonly refusalAfter?: number;
  readonly closeTimeoutMs?: number;
  readonly encoderOptions?: EncoderArgsOptions;
  /** Environment of every ffmpeg the engine runs (default: this process's), e.g. DISPLAY, PULSE_SERVER. */
  readonly env?: NodeJS.ProcessEnv;
}

export interface PushRequest {
  /** The signed push URL the server issued. */
  readonly url: string;
  readonly role: PushRole;
  readonly sources: SourceSetupInput;
  /** Overrides of the role preset (validated with the preset schema). */
  readonly settings?: Partial<EncoderSettings>;
  readonly encoder?: EncoderPreference;
}

export interface PushEngineEvents extends Record<string, unknown> {
  state: { state: PushState; role: PushRole | null };
  /** A push went live (first connection). */
  live: { role: PushRole; encoder: VideoEncoder; settings: EncoderSettings };
  stats: PushStats & { role: PushRole };
  reconnecting: { attempt: number; delayMs: number; reason: string };
  reconnected: { attempt: number; downtimeMs: number };
  /** A push ended: by us (`closed`: stop, role switch), refused by the server, failed, or its file ended. */
  stopped: { role: PushRole; reason: StopReason; error?: ErrorPayload };
  /** An encoder was chosen (after the probe). */
  encoder: EncoderSelection;
  close: void;
}

const encoderPreferenceSchema = z.union([z.literal('auto'), z.literal('software'), z.enum([SOFTWARE_ENCODER, ...HARDWARE_ENCODERS])]);
const pushRequestSchema = z.object({
  url: z.string().regex(/^(rtmps?|srt|rtsp|file):\/\/\S+$|^\/\S+$/, 'an rtmp:// URL'),
  role: z.enum(['big', 'small']),
  sources: sourceSetupSchema,
  // validated with the preset merged in (resolveSettings), so errors name `settings.<field>`
  settings: z.record(z.string(), z.unknown()).optional(),
  encoder: encoderPreferenceSchema.optional(),
});

function parseRequest(request: PushRequest): z.infer<typeof pushRequestSchema> {
  const result = pushRequestSchema.safeParse(request);
  if (!result.success) {
    const issue = result.error.issues[0];
    const field = issue?.path.join('.') || 'request';
    throw new ValidationError('INVALID_ARGUMENT', field, `${field}: ${issue?.message ?? 'invalid'}`);
  }
  return result.data;
}

/**
 * The role preset with custom overrides, validated: the one place the preset is merged (the
 * studio's PushController passes only the streamer's overrides through the push engine port).
 */
export function resolveSettings(role: PushRole, overrides: Partial<EncoderSettings> = {}): EncoderSettings {
  const result = encoderSettingsSchema.safeParse({ ...encoderPresetFor(role), ...overrides });
  if (!result.success) {
    const issue = result.error.issues[0];
    const field = `settings.${issue?.path.join('.') ?? ''}`;
    throw new ValidationError('INVALID_CONFIG', field, `${field}: ${issue?.message ?? 'invalid'}`);
  }
  return result.data;
}

interface ActivePush {
  readonly pusher: Pusher;
  readonly role: PushRole;
  readonly request: PushRequest;
  readonly settings: EncoderSettings;
  readonly subscriptions: DisposableStore;
}

export class PushEngine extends TypedEmitter<PushEngineEvents> {
  readonly ffmpeg: FfmpegInfo;
  private readonly options: PushEngineOptions;
  private readonly logger: Logger;
  private readonly selections = new Map<string, Promise<EncoderSelection>>();
  private active: ActivePush | undefined;
  /** Serialises start/stop/switch so two role switches never overlap. */
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(ffmpeg: FfmpegInfo, options: PushEngineOptions, logger: Logger) {
    super((error, event) => logger.error({ err: error, event }, 'engine event listener threw'));
    this.ffmpeg = ffmpeg;
    this.options = options;
    this.logger = logger;
  }

  /** Finds and checks ffmpeg; throws FFMPEG_NOT_FOUND / FFMPEG_UNUSABLE with what to do. */
  static async create(options: PushEngineOptions = {}): Promise<PushEngine> {
    const logger = (options.logger ?? silentLogger()).child({ component: 'engine' });
    const ffmpeg = await locateFfmpeg(
      { userPath: options.ffmpegPath ?? undefined, resourcesDir: options.resourcesDir, platform: options.platform },
      logger,
    );
    return new PushEngine(ffmpeg, options, logger);
  }

  get platform(): NodeJS.Platform {
    return this.options.platform ?? process.platform;
  }

  /** The current push's role, or null (audience / stopped). */
  get role(): PushRole | null {
    return this.active?.role ?? null;
  }

  get state(): PushState {
    return this.active?.pusher.state ?? 'idle';
  }

  get stats(): PushStats | null {
    return this.active?.pusher.stats ?? null;
  }

  /** ffmpeg's PID of the current push (diagnostics, tests). */
  get pushPid(): number | undefined {
    return this.active?.pusher.pid;
  }

  /** Input start times of the current push's ffmpeg (see Pusher.inputStartTimes). */
  get inputStartTimes(): ReadonlyArray<number | undefined> {
    return this.active?.pusher.inputStartTimes ?? [];
  }

  /** Renderer audio fed to the current push (undefined unless its audio is `pcm`). */
  get pcmStats(): PcmFeederStats | undefined {
    return this.active?.pusher.pcmStats;
  }

  /** Picks the encoder (trial encodes run once per preference and are cached). */
  selectEncoder(preference: EncoderPreference = 'auto', hardware = true): Promise<EncoderSelection> {
    const key = `${preference}:${hardware}`;
    let selection = this.selections.get(key);
    if (!selection) {
      selection = this.runSelection(preference, hardware);
      this.selections.set(key, selection);
      selection.then(
        (result) => this.emit('encoder', result),
        () => this.selections.delete(key),
      );
    }
    return selection;
  }

  private async runSelection(preference: EncoderPreference, hardware: boolean): Promise<EncoderSelection> {
    const probe = { platform: this.platform, encoderOptions: this.options.encoderOptions };
    if (preference === 'auto') return selectEncoder(this.ffmpeg, this.logger, { ...probe, hardware });
    if (preference === 'software' || preference === SOFTWARE_ENCODER) return selectEncoder(this.ffmpeg, this.logger, { ...probe, hardware: false });
    const trial = await tryEncoder(this.ffmpeg, preference, this.logger, probe);
    if (trial.ok) return { encoder: preference, hardware: true, why: `${preference} was chosen in Settings and passed a trial encode`, trials: [trial] };
    const fallback = await selectEncoder(this.ffmpeg, this.logger, { ...probe, hardware: false });
    return { ...fallback, why: `${preference} was chosen in Settings but failed its trial encode`, trials: [trial, ...fallback.trials] };
  }

  listDevices(): Promise<DeviceList> {
    return listDevices(this.ffmpeg, this.logger, this.platform, this.options.env);
  }

  /**
   * Pushes with the role's preset to the URL; replaces the current push (restarting ffmpeg).
   * Resolves when live; rejects with PUBLISH_REFUSED / CONNECT_FAILED / SERVER_UNREACHABLE / FFMPEG_FAILED.
   */
  start(request: PushRequest): Promise<void> {
    return this.serialise(() => this.doStart(request));
  }

  /**
   * Role switch without an app restart: `audience` stops pushing; `big` / `small` (re)start ffmpeg
   * with that preset and the new URL, keeping the sources of the current (or given) request.
   */
  switchRole(role: Role, next: { url?: string; sources?: SourceSetupInput; settings?: Partial<EncoderSettings> } = {}): Promise<void> {
    return this.serialise(async () => {
      if (role === 'audience') return this.doStop();
      const current = this.active?.request;
      const url = next.url ?? current?.url;
      const sources = next.sources ?? current?.sources;
      if (!url || !sources) throw new ValidationError('INVALID_ARGUMENT', url ? 'sources' : 'url', 'switching to a host role needs a push URL and sources');
      return this.doStart({ url, role, sources, settings: next.settings ?? (current?.role === role ? current.settings : undefined), encoder: current?.encoder });
    });
  }

  /** Renderer microphone PCM (48 kHz mono s16le, or f32le when the source says so). */
  pushPcm(frame: PcmFrame): void {
    this.active?.pusher.pushPcm(frame);
  }

  /** Stops pushing (ffmpeg quits cleanly). */
  stop(): Promise<void> {
    return this.serialise(() => this.doStop());
  }

  /** Stops any push and refuses further use. Safe to call again. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue.catch(() => undefined);
    await this.doStop();
    this.emit('close', undefined);
  }

  private serialise<T>(task: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new InvalidStateError('the push engine is closed'));
    const run = this.queue.catch(() => undefined).then(task);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async doStart(input: PushRequest): Promise<void> {
    const request = parseRequest(input);
    const settings = resolveSettings(request.role, request.settings as Partial<EncoderSettings> | undefined);
    const sources: SourceSetup = request.sources;
    const selection = await this.selectEncoder(request.encoder ?? 'auto', settings.hardwareEncode);
    const command = buildPushCommand({
      sources,
      settings,
      encoder: selection.encoder,
      url: request.url,
      platform: this.platform,
      encoderOptions: this.options.encoderOptions,
    });
    await this.doStop();
    if (this.closed) throw new InvalidStateError('the push engine is closed');
    const pusher = new Pusher(
      {
        ffmpegPath: this.ffmpeg.path,
        command,
        encoder: selection.encoder,
        url: request.url,
        backoff: this.options.backoff,
        refusalAfter: this.options.refusalAfter,
        finite: sources.video.kind === 'file' && sources.video.loop === false,
        closeTimeoutMs: this.options.closeTimeoutMs,
        env: this.options.env,
      },
      this.logger,
    );
    const role = request.role;
    const subscriptions = new DisposableStore();
    const active: ActivePush = { pusher, role, request: input, settings, subscriptions };
    this.active = active;
    subscriptions.add(pusher.on('state', (state) => this.emit('state', { state, role })));
    subscriptions.add(pusher.on('live', ({ encoder }) => this.emit('live', { role, encoder, settings })));
    subscriptions.add(pusher.on('stats', (stats) => this.emit('stats', { ...stats, role })));
    subscriptions.add(pusher.on('reconnecting', (event) => this.emit('reconnecting', event)));
    subscriptions.add(pusher.on('reconnected', (event) => this.emit('reconnected', event)));
    subscriptions.add(
      pusher.on('stopped', ({ reason, error }) => {
        if (this.active === active) this.active = undefined;
        subscriptions.dispose();
        this.emit('stopped', error ? { role, reason, error } : { role, reason });
      }),
    );
    this.logger.info({ role, encoder: selection.encoder, width: settings.width, height: settings.height }, 'starting push');
    try {
      await pusher.start();
    } catch (error) {
      await pusher.close();
      throw error instanceof LinkMicError ? error : new LinkMicError('FFMPEG_FAILED', String(error));
    }
  }

  private async doStop(): Promise<void> {
    const active = this.active;
    if (!active) return;
    this.active = undefined;
    await active.pusher.close();
  }
}
