// What an end-to-end spec runs against: one headless link-mic server (the `npm run server` CLI)
// and several studios, each one StudioCore (a web host here, or the Electron app through
// electron-studio.ts) whose remote server profile points at it, with test-pattern video, a test
// tone and the software encoder. All on 127.0.0.1, ephemeral ports.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { StudioSettings } from '../../common/studio-api';
import { REPO_ROOT, startTsChild, type ReadyChild } from './child';

export interface ServerReady {
  readonly event: 'ready';
  readonly rtmpUrl: string;
  readonly httpUrl: string;
  readonly rtmpPort: number;
  readonly httpPort: number;
}

export interface StudioReady {
  readonly event: 'ready';
  readonly url: string;
}

/** A running studio (web host or Electron app), whichever shell the console runs in. */
export interface StudioHost {
  readonly name: string;
  readonly userId: string;
  readonly streamCode: string;
  stop(): Promise<void>;
}

/** A studio web host: also the console URL (with the per-run token). */
export interface WebStudioHost extends StudioHost {
  readonly url: string;
}

/** Who a test studio is and what it starts with: the same for the web host and the Electron app. */
export interface StudioProfile {
  readonly userId: string;
  readonly streamCode: string;
  /** Every setting but the server (test pattern, test tone, software x264, English). */
  readonly settings: Omit<StudioSettings, 'server'>;
  /** The remote profile pointing at the e2e server, with a dev-login token. */
  readonly server: { readonly kind: 'remote'; readonly httpUrl: string; readonly userId: string; readonly token: string };
}

const KEY = 'e2e-signing-key-0123456789abcdef';

export class LinkMicServerProcess {
  private child: ReadyChild<ServerReady> | null = null;
  private ports: { rtmp: number; http: number } | null = null;

  /** `extraArgs`: more `server/cli.ts` flags (e.g. `--battle-test-duration-sec 25`). */
  constructor(private readonly extraArgs: readonly string[] = []) {}

  get httpUrl(): string {
    if (!this.ports) throw new Error('the server has not started');
    return `http://127.0.0.1:${this.ports.http}`;
  }

  get running(): boolean {
    return this.child !== null;
  }

  /** Starts on ephemeral ports the first time, on the same ports after a stop (so studios can come back). */
  async start(): Promise<void> {
    if (this.child) return;
    // Fake guests (startFakeGuests) are signal-only and never publish: the first-publish deadline of
    // accepted guests is raised from 20 s to 120 s so a slow machine does not end their links mid-spec.
    const args = ['--host', '127.0.0.1', '--rtmp-port', String(this.ports?.rtmp ?? 0), '--http-port', String(this.ports?.http ?? 0), '--key', KEY, '--log-level', 'warn', '--link-publish-deadline-sec', '120', ...this.extraArgs];
    this.child = await startTsChild<ServerReady>('link-mic server', 'server/cli.ts', args);
    this.ports = { rtmp: this.child.ready.rtmpPort, http: this.child.ready.httpPort };
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = null;
    await child?.stop();
  }

  async devToken(userId: string): Promise<string> {
    const response = await fetch(`${this.httpUrl}/api/dev-login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userId }) });
    if (!response.ok) throw new Error(`dev-login ${userId}: HTTP ${response.status} ${await response.text()}`);
    return ((await response.json()) as { token: string }).token;
  }
}

/** A fresh identity `<name>-<random>` (stream code `live_<userId>`) signed in to `server`. */
export async function studioProfile(server: LinkMicServerProcess, name: string, options: { userId?: string } = {}): Promise<StudioProfile> {
  const userId = options.userId ?? `${name}-${Math.random().toString(36).slice(2, 8)}`;
  const streamCode = `live_${userId.replace(/[^A-Za-z0-9_-]/g, '_')}`;
  return {
    userId,
    streamCode,
    settings: {
      locale: 'en',
      userId,
      streamCode,
      sources: { video: { kind: 'test-pattern' }, audio: { kind: 'test-tone' } },
      encoder: { preference: 'software' },
      audioProcessing: { echoCancellation: true, noiseSuppression: true, autoGainControl: true },
      room: { allowLinkRequests: true, guestLimit: 3, templateId: 1 },
      ffmpegPath: null,
    },
    server: { kind: 'remote', httpUrl: server.httpUrl, userId, token: await server.devToken(userId) },
  };
}

/** Starts a studio web host for `userId` (stream code `live_<userId>`), signed in to `server`. */
export async function startStudio(server: LinkMicServerProcess, name: string, options: { userId?: string } = {}): Promise<WebStudioHost> {
  const profile = await studioProfile(server, name, options);
  const { httpUrl, userId, token } = profile.server;
  const dataDir = await mkdtemp(path.join(os.tmpdir(), `e2e-studio-${name}-`));
  const settings: StudioSettings = { ...profile.settings, server: { kind: 'remote', httpUrl, userId } };
  await writeFile(path.join(dataDir, 'settings.json'), JSON.stringify(settings, null, 2));
  await writeFile(path.join(dataDir, 'secrets.json'), JSON.stringify({ [`remote-token:${userId}@${httpUrl}`]: token }));
  const child = await startTsChild<StudioReady>(`studio ${name}`, 'main/web-host-cli.ts', ['--data-dir', dataDir, '--renderer-dir', path.join(REPO_ROOT, 'dist/renderer'), '--server-log-level', 'warn']);
  return {
    name,
    userId,
    streamCode: profile.streamCode,
    url: child.ready.url,
    async stop() {
      await child.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export interface FakeGuests {
  readonly userIds: readonly string[];
  stop(): Promise<void>;
}

/** `count` signal-only guests (no media) who join `roomId` and ask to link; for quota scenarios. */
export async function startFakeGuests(server: LinkMicServerProcess, roomId: string, count: number): Promise<FakeGuests> {
  const userIds = Array.from({ length: count }, (_, i) => `guest${i + 1}-${Math.random().toString(36).slice(2, 6)}`);
  const tokens = await Promise.all(userIds.map((id) => server.devToken(id)));
  const spec = JSON.stringify({ url: server.httpUrl, roomId, guests: userIds.map((userId, i) => ({ userId, token: tokens[i] })) });
  const child = await startTsChild<{ event: 'ready' }>('fake guests', 'e2e/helpers/fake-guests-cli.ts', [spec]);
  return { userIds, stop: () => child.stop() };
}
