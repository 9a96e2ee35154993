// Test helpers for the studio core: a StudioCore wired to the real parts (embedded LinkMicServer,
// SignalClient, push engine) in a temporary data folder, with test sources (testsrc2 + sine).
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import type { StudioApi, StudioEventName, StudioEvents, StudioSettings, StudioState } from '../../common/studio-api';
import { createStudioCore } from '../core/create-studio-core';
import type { EmbeddedServer } from '../core/embedded-server';
import type { StudioCore } from '../core/studio-core';
import type { RecordingControllerOptions } from '../recording/recording-controller';
import { MemorySecretStore } from '../settings/secret-store';
import { MemorySettingsStore } from '../settings/settings-store';
import { defaultSettings } from '../settings/default-settings';

export interface TestCore {
  readonly core: StudioCore;
  readonly api: StudioApi;
  readonly dataDir: string;
  /** The embedded server, once started (embedded profile only). */
  embedded(): EmbeddedServer;
  close(): Promise<void>;
}

export function testSettings(overrides: Partial<StudioSettings> = {}): StudioSettings {
  return {
    ...defaultSettings(),
    sources: { video: { kind: 'test-pattern' }, audio: { kind: 'test-tone' } },
    // Software encoding: no GPU probing on CI machines.
    encoder: { preference: 'software' },
    ...overrides,
  };
}

export async function startTestCore(settings: StudioSettings = testSettings(), options: { secrets?: MemorySecretStore; recording?: RecordingControllerOptions } = {}): Promise<TestCore> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'studio-core-'));
  let embedded: EmbeddedServer | undefined;
  const core = createStudioCore({
    dataDir,
    settings: new MemorySettingsStore(settings),
    secrets: options.secrets ?? new MemorySecretStore(),
    serverLogLevel: 'silent',
    onEmbeddedServer: (server) => (embedded = server),
    ...(options.recording === undefined ? {} : { recording: options.recording }),
  });
  await core.start();
  return {
    core,
    api: core.api(),
    dataDir,
    embedded() {
      if (!embedded) throw new Error('no embedded server');
      return embedded;
    },
    async close() {
      await core.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Resolves with the first state snapshot that satisfies `predicate` (current or future). */
export async function waitForState(api: StudioApi, predicate: (state: StudioState) => boolean, what: string, timeoutMs = 30_000): Promise<StudioState> {
  return new Promise((resolve, reject) => {
    let done = false;
    const finish = (state: StudioState | Error) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      unsubscribe();
      if (state instanceof Error) reject(state);
      else resolve(state);
    };
    const timer = setTimeout(() => finish(new Error(`timed out waiting for ${what}`)), timeoutMs);
    const unsubscribe = api.on('state', (state) => {
      if (predicate(state)) finish(state);
    });
    api.getState().then((state) => predicate(state) && finish(state), (error: Error) => finish(error));
  });
}

/** Resolves with the next payload of `event` that satisfies `predicate`. */
export function nextEvent<E extends StudioEventName>(api: StudioApi, event: E, predicate: (payload: StudioEvents[E]) => boolean = () => true, timeoutMs = 30_000): Promise<StudioEvents[E]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      unsubscribe();
      reject(new Error(`timed out waiting for ${event}`));
    }, timeoutMs);
    const unsubscribe = api.on(event, (payload) => {
      if (!predicate(payload)) return;
      clearTimeout(timer);
      unsubscribe();
      resolve(payload);
    });
  });
}

/**
 * PIDs of ffmpeg processes that are children of this process (inspection only). `pushOnly`: just
 * the studio's push (its lavfi test pattern), not the embedded server's mixer.
 */
export function childFfmpegPids(options: { pushOnly?: boolean } = {}): number[] {
  try {
    const out = execFileSync('ps', ['-o', 'pid=,comm=,args=', '--ppid', String(process.pid)], { encoding: 'utf8' });
    return out
      .split('\n')
      .map((line) => line.trim().split(/\s+/))
      .filter(([, comm, ...args]) => comm === 'ffmpeg' && (!options.pushOnly || args.some((arg) => arg.startsWith('testsrc2'))))
      .map(([pid]) => Number(pid));
  } catch {
    return [];
  }
}
