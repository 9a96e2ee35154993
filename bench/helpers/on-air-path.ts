// Where bench:aec's PCM frames go on air. Two ways, both ending in the real PushEngine:
//  - 'studio' (default): the StudioCore with its embedded LinkMicServer, going live as big host
//    with the `renderer-mic` source, behind the WebHost; frames enter through the web host's
//    WebSocket bridge (`sendAudioFrame`, renderer/api's bridge client) like the console's.
//  - 'engine': a LinkMicServer and a bare PushEngine with a `pcm` audio source; frames go to
//    `pushPcm` directly.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket as NodeWebSocket } from 'ws';
import type { LinkMicServer } from '../../server/link-mic-server';
import { createStudioCore } from '../../main/core/create-studio-core';
import type { EmbeddedServer } from '../../main/core/embedded-server';
import type { StudioCore } from '../../main/core/studio-core';
import { defaultSettings } from '../../main/settings/default-settings';
import { MemorySecretStore } from '../../main/settings/secret-store';
import { MemorySettingsStore } from '../../main/settings/settings-store';
import { WebHost } from '../../main/web-host';
import { PushEngine } from '../../main/engine/push-engine';
import { stderrLogger } from '../../node/logger';
import { connectWebBridge, type WebBridgeClient, type WebSocketFactory } from '../../renderer/api';
import { startOrigin, type TestOrigin } from './origin';

export type OnAirPathKind = 'studio' | 'engine';

export interface OnAirPath {
  readonly kind: OnAirPathKind;
  readonly description: string;
  /** The origin the host pushes to (co-host pushes there too). */
  readonly server: LinkMicServer;
  readonly sessionId: number;
  readonly hostStreamCode: string;
  /** One s16le 48 kHz mono frame from the page. */
  pushPcm(frame: Buffer): void;
  /** Frames that reached the engine's side and frames dropped on the way (studio path only). */
  pcmCounters(): Promise<{ framesIn: number; framesDropped: number } | null>;
  close(): Promise<void>;
}

const SMALL_VIDEO = { width: 320, height: 480, fps: 15, videoBitrateKbps: 300 };

export async function openOnAirPath(kind: OnAirPathKind): Promise<OnAirPath> {
  return kind === 'studio' ? openStudioPath() : openEnginePath();
}

async function openEnginePath(): Promise<OnAirPath> {
  const origin: TestOrigin = await startOrigin();
  let engine: PushEngine | null = null;
  try {
    engine = await PushEngine.create({ logger: stderrLogger('bench-aec-engine') });
    await engine.start({
      url: origin.pushUrl('host'),
      role: 'big',
      sources: { video: { kind: 'testPattern' }, audio: { kind: 'pcm', format: 's16le' } },
      settings: SMALL_VIDEO,
      encoder: 'software',
    });
  } catch (error) {
    await engine?.close();
    await origin.close();
    throw error;
  }
  const live = engine;
  return {
    kind: 'engine',
    description: 'MicCapture → WebSocket sink → PushEngine.pushPcm',
    server: origin.server,
    sessionId: 4242,
    hostStreamCode: 'host',
    pushPcm: (frame) => live.pushPcm(frame),
    pcmCounters: async () => null,
    async close() {
      await live.close();
      await origin.close();
    },
  };
}

async function openStudioPath(): Promise<OnAirPath> {
  const dataDir = await mkdtemp(join(tmpdir(), 'bench-aec-studio-'));
  const rendererDir = await mkdtemp(join(tmpdir(), 'bench-aec-renderer-'));
  let embedded: EmbeddedServer | undefined;
  let core: StudioCore | null = null;
  let host: WebHost | null = null;
  let client: WebBridgeClient | null = null;
  const cleanup = async (): Promise<void> => {
    client?.close();
    await host?.close();
    await core?.close();
    await rm(dataDir, { recursive: true, force: true });
    await rm(rendererDir, { recursive: true, force: true });
  };
  try {
    core = createStudioCore({
      dataDir,
      settings: new MemorySettingsStore({
        ...defaultSettings(),
        sources: { video: { kind: 'test-pattern' }, audio: { kind: 'renderer-mic' } },
        encoder: { preference: 'software', overrides: { fps: SMALL_VIDEO.fps, videoBitrateKbps: SMALL_VIDEO.videoBitrateKbps } },
      }),
      secrets: new MemorySecretStore(),
      serverLogLevel: 'silent',
      onEmbeddedServer: (server) => (embedded = server),
    });
    await core.start();
    host = await WebHost.start({ core, rendererDir, port: 0 });
    client = await connectWebBridge({ baseUrl: host.baseUrl, token: host.token, WebSocket: NodeWebSocket as unknown as WebSocketFactory });
    const live = await client.goLive({});
    const deadline = Date.now() + 30_000;
    let state = await client.getState();
    while (state.live.status !== 'live') {
      if (Date.now() > deadline) throw new Error(`the studio did not go live: ${JSON.stringify(state.live)}`);
      await new Promise((r) => setTimeout(r, 100));
      state = await client.getState();
    }
    if (!embedded) throw new Error('the studio started no embedded server');
    if (!state.room) throw new Error('the studio has no room');
    const bridge = client;
    return {
      kind: 'studio',
      description: 'MicCapture → WebSocket sink → web host bridge (sendAudioFrame) → StudioCore → PushEngine',
      server: embedded.server,
      sessionId: state.room.sessionId,
      hostStreamCode: live.streamCode ?? state.room.streamCode,
      pushPcm: (frame) => bridge.sendAudioFrame(frame.buffer.slice(frame.byteOffset, frame.byteOffset + frame.byteLength) as ArrayBuffer),
      pcmCounters: async () => {
        const stats = (await bridge.getState()).stats;
        return stats ? { framesIn: stats.audioFramesIn, framesDropped: stats.audioFramesDropped } : null;
      },
      close: cleanup,
    };
  } catch (error) {
    await cleanup();
    throw error;
  }
}
