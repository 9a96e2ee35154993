// Wires StudioCore to the real parts: the push engine, the embedded LinkMicServer / a remote
// server through the SignalClient, settings and secrets stores under a data folder.
import path from 'node:path';
import type { LogLevel } from '../../server';
import type { Logger } from '../../node/logger';
import { FileSecretStore, type SecretStore } from '../settings/secret-store';
import { FileSettingsStore, type SettingsStore } from '../settings/settings-store';
import { ObsPushEngine } from '../obs/obs-push-engine';
import { SelectableEngine } from '../obs/selectable-engine';
import { SecretLeftoverStore } from '../obs/obs-stream-leftover';
import { EngineAdapter } from './engine-adapter';
import type { CoreLogger } from './ports';
import type { EmbeddedServer } from './embedded-server';
import { createServerConnector } from './server-connector';
import { StudioCore } from './studio-core';
import type { RecordingControllerOptions } from '../recording/recording-controller';

export interface CreateStudioCoreOptions {
  /** Where settings.json and secrets.json live (the app's userData, or a test folder). */
  readonly dataDir: string;
  /** Overrides the stores (e.g. the Electron safeStorage secret store). */
  readonly settings?: SettingsStore;
  readonly secrets?: SecretStore;
  /** The app's resources folder (bundled ffmpeg). */
  readonly resourcesDir?: string;
  readonly serverLogLevel?: LogLevel;
  /** The built audience page (dist/viewer) the embedded server serves at /watch/{room}. */
  readonly viewerDistDir?: string;
  readonly engineLogger?: Logger;
  readonly logger?: CoreLogger;
  /** Recording thresholds (tests raise the free-disk minimum). */
  readonly recording?: RecordingControllerOptions;
  readonly onEmbeddedServer?: (server: EmbeddedServer) => void;
}

export function createStudioCore(options: CreateStudioCoreOptions): StudioCore {
  const secrets = options.secrets ?? new FileSecretStore(path.join(options.dataDir, 'secrets.json'));
  const ffmpeg = new EngineAdapter({
    ...(options.resourcesDir === undefined ? {} : { resourcesDir: options.resourcesDir }),
    ...(options.engineLogger === undefined ? {} : { logger: options.engineLogger }),
  });
  const obs = new ObsPushEngine({ leftovers: new SecretLeftoverStore(secrets), ...(options.logger === undefined ? {} : { logger: options.logger }) });
  const engine = new SelectableEngine(ffmpeg, obs, secrets);
  const core = new StudioCore({
    settings: options.settings ?? new FileSettingsStore(path.join(options.dataDir, 'settings.json')),
    secrets,
    engine,
    connectServer: createServerConnector({
      ...(options.serverLogLevel === undefined ? {} : { serverLogLevel: options.serverLogLevel }),
      ...(options.onEmbeddedServer === undefined ? {} : { onEmbeddedServer: options.onEmbeddedServer }),
      ...(options.viewerDistDir === undefined ? {} : { viewerDistDir: options.viewerDistDir }),
    }),
    ...(options.logger === undefined ? {} : { logger: options.logger }),
    ...(options.recording === undefined ? {} : { recording: options.recording }),
  });
  // OBS shows the parties linked into our room: it follows the state the console sees.
  core.events.on('state', (state) => engine.onStudioState(state));
  return core;
}
