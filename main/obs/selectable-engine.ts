// The engine the core pushes with, chosen per go-live from the settings: the built-in ffmpeg
// engine, or the streamer's OBS Studio (its address from the settings, its password from the
// secret store). Sources, encoders and ffmpeg discovery always come from the ffmpeg engine.
import { DEFAULT_ENGINE_SETTINGS, type StudioState } from '../../common/studio-api';
import type { PushSession, StartPushOptions, StudioEngine } from '../core/ports';
import type { SecretStore } from '../settings/secret-store';
import type { ObsPushEngine } from './obs-push-engine';

/** The secret-store key of OBS's WebSocket password. */
export const OBS_PASSWORD_KEY = 'obs-websocket-password';

export class SelectableEngine implements StudioEngine {
  constructor(
    private readonly ffmpeg: StudioEngine,
    private readonly obs: ObsPushEngine,
    private readonly secrets: SecretStore,
  ) {}

  describeFfmpeg(ffmpegPath: string | null) {
    return this.ffmpeg.describeFfmpeg(ffmpegPath);
  }

  listSources(ffmpegPath: string | null) {
    return this.ffmpeg.listSources(ffmpegPath);
  }

  probeEncoders(ffmpegPath: string | null, preference: string) {
    return this.ffmpeg.probeEncoders(ffmpegPath, preference);
  }

  async startPush(options: StartPushOptions): Promise<PushSession> {
    const engine = options.engine ?? DEFAULT_ENGINE_SETTINGS;
    if (engine.kind !== 'obs') return this.ffmpeg.startPush(options);
    const password = await this.secrets.get(OBS_PASSWORD_KEY);
    return this.obs.startPush(options, { url: engine.obsUrl, password: password === '' ? null : password });
  }

  /** Feeds the studio state to the OBS engine (co-hosts in OBS's program). */
  onStudioState(state: StudioState): void {
    this.obs.onStudioState(state);
  }

  async close(): Promise<void> {
    await Promise.all([this.obs.close(), this.ffmpeg.close()]);
  }
}
