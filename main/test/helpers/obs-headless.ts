// A real OBS Studio run headless for tests and the bench (../shared/design/obs-notes.md): its own
// Xvfb display, software GL, a fresh config folder per run (a reused scene collection makes
// CreateScene fail), the websocket server enabled with a random password on a free port. Stopped
// by PID (OBS first, then Xvfb), and the folder removed.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestXvfb } from './engine-xvfb';

/** OBS 29.0.2 as a version number: (major << 24) | (minor << 16) | patch. */
const LAST_VERSION = (29 << 24) | (0 << 16) | 2;

export interface HeadlessObsOptions {
  /** Base and output canvas. Default 640x360 (cheap on a shared 2-core machine). */
  readonly width?: number;
  readonly height?: number;
  readonly fps?: number;
  /** Video bitrate of OBS's simple output, kbit/s. Default 800. */
  readonly videoKbps?: number;
  /** How long to wait for the websocket to accept connections. Default 60 s (a loaded machine). */
  readonly readyTimeoutMs?: number;
}

export class HeadlessObs {
  private stopping: Promise<void> | null = null;

  private constructor(
    /** ws://127.0.0.1:port */
    readonly url: string,
    readonly password: string,
    readonly configDir: string,
    private readonly xvfb: TestXvfb,
    private readonly child: ChildProcess,
    private readonly exited: Promise<void>,
  ) {}

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  static async start(options: HeadlessObsOptions = {}): Promise<HeadlessObs> {
    const width = options.width ?? 640;
    const height = options.height ?? 360;
    const port = await freePort();
    const password = randomBytes(12).toString('hex');
    const configDir = await mkdtemp(join(tmpdir(), 'linkmic-obs-'));
    await writeConfig(configDir, { port, password, width, height, fps: options.fps ?? 30, videoKbps: options.videoKbps ?? 800 });
    const xvfb = await TestXvfb.start(1280, 720);
    const child = spawn(
      'obs',
      ['--multi', '--disable-missing-files-check', '--profile', 'ci', '--collection', 'ci'],
      {
        stdio: ['ignore', 'ignore', 'ignore'],
        env: {
          ...process.env,
          DISPLAY: xvfb.display,
          XDG_CONFIG_HOME: configDir,
          HOME: configDir,
          LIBGL_ALWAYS_SOFTWARE: '1',
          QT_QPA_PLATFORM: 'xcb',
        },
      },
    );
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const obs = new HeadlessObs(`ws://127.0.0.1:${port}`, password, configDir, xvfb, child, exited);
    try {
      await obs.waitForWebsocket(port, options.readyTimeoutMs ?? 60_000);
    } catch (error) {
      const log = await obs.lastLog();
      await obs.stop();
      throw new Error(`OBS did not start: ${(error as Error).message}\n${log}`, { cause: error });
    }
    return obs;
  }

  /** The tail of OBS's own log of this run (for failure messages). */
  async lastLog(chars = 3000): Promise<string> {
    try {
      const folder = join(this.configDir, 'obs-studio', 'logs');
      const { readdir } = await import('node:fs/promises');
      const files = (await readdir(folder)).sort();
      const last = files.at(-1);
      if (!last) return '(no OBS log)';
      return (await readFile(join(folder, last), 'utf8')).slice(-chars);
    } catch {
      return '(no OBS log)';
    }
  }

  private async waitForWebsocket(port: number, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!this.running) throw new Error(`obs exited (${this.child.exitCode ?? this.child.signalCode})`);
      if (await canConnect(port)) return;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(`the websocket on port ${port} did not open within ${timeoutMs} ms`);
  }

  /** SIGTERM to OBS's own PID (SIGKILL after 15 s), then Xvfb; removes the config folder. Idempotent. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      if (this.running && this.child.pid !== undefined) {
        process.kill(this.child.pid, 'SIGTERM');
        const timer = setTimeout(() => {
          if (this.running && this.child.pid !== undefined) process.kill(this.child.pid, 'SIGKILL');
        }, 15_000);
        await this.exited;
        clearTimeout(timer);
      }
      await this.xvfb.stop();
      await rm(this.configDir, { recursive: true, force: true });
    })();
    return this.stopping;
  }
}

/** Whether OBS Studio is installed here (tests skip with a reason when it is not). */
export function obsInstalled(): boolean {
  return ['/usr/bin/obs', '/usr/local/bin/obs'].some((path) => existsSync(path));
}

interface ConfigValues {
  readonly port: number;
  readonly password: string;
  readonly width: number;
  readonly height: number;
  readonly fps: number;
  readonly videoKbps: number;
}

function ini(sections: Record<string, Record<string, string | number | boolean>>): string {
  return Object.entries(sections)
    .map(([name, values]) => `[${name}]\n${Object.entries(values).map(([key, value]) => `${key}=${String(value)}`).join('\n')}\n`)
    .join('\n');
}

async function writeConfig(configDir: string, values: ConfigValues): Promise<void> {
  const root = join(configDir, 'obs-studio');
  await mkdir(join(root, 'basic', 'profiles', 'ci'), { recursive: true });
  await mkdir(join(root, 'basic', 'scenes'), { recursive: true });
  // obs-websocket 5.1.0 in OBS 29.0.2 reads its settings from global.ini, not plugin_config.
  await writeFile(
    join(root, 'global.ini'),
    ini({
      General: { FirstRun: true, LastVersion: LAST_VERSION, EnableAutoUpdates: false },
      BasicWindow: { SysTrayEnabled: false, WarnBeforeStartingStream: false, WarnBeforeStoppingStream: false, WarnBeforeStoppingRecord: false, ShowTransitions: false },
      Basic: { Profile: 'ci', ProfileDir: 'ci', SceneCollection: 'ci', SceneCollectionFile: 'ci' },
      OBSWebSocket: { FirstLoad: false, ServerEnabled: true, ServerPort: values.port, AlertsEnabled: false, AuthRequired: true, ServerPassword: values.password },
    }),
  );
  await writeFile(
    join(root, 'basic', 'profiles', 'ci', 'basic.ini'),
    ini({
      General: { Name: 'ci' },
      Video: { BaseCX: values.width, BaseCY: values.height, OutputCX: values.width, OutputCY: values.height, FPSType: 1, FPSInt: values.fps, FPSCommon: values.fps },
      Output: { Mode: 'Simple' },
      SimpleOutput: { StreamEncoder: 'x264', VBitrate: values.videoKbps, ABitrate: 96, Preset: 'ultrafast', UseAdvanced: false },
      Audio: { SampleRate: 48000, ChannelSetup: 'Stereo' },
    }),
  );
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.setTimeout(2000, () => done(false));
  });
}
