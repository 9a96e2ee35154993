// A private PulseAudio daemon with a null sink (temp HOME / XDG_RUNTIME_DIR), stopped by PID.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { waitUntil } from './engine-media';

export class TestPulse {
  private constructor(
    readonly server: string,
    readonly sink: string,
    private readonly child: ChildProcess,
    private readonly exited: Promise<void>,
    private readonly dir: string,
  ) {}

  /** The monitor source of the null sink: what a "microphone" capture of the sink hears. */
  get monitor(): string {
    return `${this.sink}.monitor`;
  }

  /** Environment for clients of this daemon. */
  get env(): NodeJS.ProcessEnv {
    return { ...process.env, PULSE_SERVER: this.server };
  }

  static async start(sink = 'studio_null'): Promise<TestPulse> {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'engine-pulse-'));
    const runtime = path.join(dir, 'run');
    mkdirSync(runtime, { mode: 0o700 });
    const socket = path.join(dir, 'native');
    const child = spawn(
      'pulseaudio',
      [
        '-n', '--exit-idle-time=-1', '--daemonize=no', '--use-pid-file=no', '-F', '/dev/null',
        `--load=module-native-protocol-unix auth-anonymous=1 socket=${socket}`,
        `--load=module-null-sink sink_name=${sink} rate=48000 channels=1`,
      ],
      { stdio: 'ignore', env: { ...process.env, HOME: dir, XDG_RUNTIME_DIR: runtime, XDG_CONFIG_HOME: path.join(dir, 'config') } },
    );
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    let dead = false;
    void exited.then(() => (dead = true));
    try {
      await waitUntil(() => dead || existsSync(socket), 10_000, 'pulseaudio socket');
      if (dead) throw new Error('pulseaudio exited at start');
    } catch (error) {
      child.kill('SIGKILL');
      await exited;
      rmSync(dir, { recursive: true, force: true });
      throw error;
    }
    return new TestPulse(`unix:${socket}`, sink, child, exited, dir);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null && this.child.pid !== undefined) process.kill(this.child.pid, 'SIGTERM');
    await this.exited;
    rmSync(this.dir, { recursive: true, force: true });
  }
}
