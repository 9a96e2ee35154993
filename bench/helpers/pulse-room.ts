// A private PulseAudio "room" for echo tests: a user daemon in a temp folder, a null sink `speaker`
// (default output), a null sink `micmix` into which the near-end voice is played, an echo path
// `speaker.monitor -> module-loopback (controlled delay) -> micmix`, and `mic`, a remap of
// `micmix.monitor` (default input). This is the recipe measured in shared/design/aec-notes.md.
// Everything runs under the temp folder; the daemon and every player are stopped by PID.
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export interface PulseRoomOptions {
  /** Delay of the echo path speaker -> mic, in ms (module-loopback latency_msec). Default 60. */
  readonly echoDelayMs?: number;
  /** Log the daemon's stderr. */
  readonly verbose?: boolean;
  /** Load the echo path and the `mic` source (default true); false: only the `speaker` sink. */
  readonly echo?: boolean;
}

export class PulseRoom {
  readonly dir: string;
  readonly runtimeDir: string;
  readonly socketPath: string;
  readonly echoDelayMs: number;
  private daemon: ChildProcess | null = null;
  private daemonExited: Promise<void> = Promise.resolve();
  private readonly players = new Set<ChildProcess>();
  private closed = false;

  private constructor(
    dir: string,
    echoDelayMs: number,
    private readonly echo: boolean,
  ) {
    this.dir = dir;
    this.runtimeDir = join(dir, 'runtime');
    this.socketPath = join(this.runtimeDir, 'native');
    this.echoDelayMs = echoDelayMs;
  }

  static async start(options: PulseRoomOptions = {}): Promise<PulseRoom> {
    const dir = await mkdtemp(join(tmpdir(), 'pulse-room-'));
    const room = new PulseRoom(dir, options.echoDelayMs ?? 60, options.echo ?? true);
    try {
      await room.launch(options.verbose ?? false);
    } catch (error) {
      await room.close();
      throw error;
    }
    return room;
  }

  /** Environment for any client of this room (pactl, paplay, Chromium). */
  get env(): NodeJS.ProcessEnv {
    return {
      ...process.env,
      HOME: this.dir,
      XDG_RUNTIME_DIR: this.runtimeDir,
      XDG_CONFIG_HOME: join(this.dir, '.config'),
      PULSE_RUNTIME_PATH: this.runtimeDir,
      PULSE_STATE_PATH: join(this.dir, 'state'),
      PULSE_SERVER: `unix:${this.socketPath}`,
      PULSE_COOKIE: join(this.dir, 'cookie'),
    };
  }

  private async launch(verbose: boolean): Promise<void> {
    await mkdir(this.runtimeDir, { recursive: true, mode: 0o700 });
    await mkdir(join(this.dir, 'state'), { recursive: true, mode: 0o700 });
    const script = [
      `load-module module-native-protocol-unix socket=${this.socketPath} auth-anonymous=1`,
      'load-module module-null-sink sink_name=speaker rate=48000 channels=2 sink_properties=device.description=Speaker',
      ...(this.echo
        ? [
            'load-module module-null-sink sink_name=micmix rate=48000 channels=1 sink_properties=device.description=MicMix',
            `load-module module-loopback source=speaker.monitor sink=micmix latency_msec=${this.echoDelayMs} source_dont_move=true sink_dont_move=true`,
            'load-module module-remap-source master=micmix.monitor source_name=mic channels=1 source_properties=device.description=RoomMic',
          ]
        : []),
      'set-default-sink speaker',
      ...(this.echo ? ['set-default-source mic'] : []),
      '',
    ].join('\n');
    const scriptPath = join(this.dir, 'default.pa');
    await writeFile(scriptPath, script);
    // 48 kHz everywhere (no resampling between Chromium's streams and the 48 kHz sinks), and the
    // priority a desktop's audio server gets from rtkit (granted here only when we may: root).
    await mkdir(join(this.dir, '.config', 'pulse'), { recursive: true });
    await writeFile(
      join(this.dir, '.config', 'pulse', 'daemon.conf'),
      ['default-sample-rate = 48000', 'alternate-sample-rate = 48000', 'high-priority = yes', 'nice-level = -11', 'realtime-scheduling = yes', 'realtime-priority = 9', ''].join('\n'),
    );
    const child = spawn(
      'pulseaudio',
      ['-n', '--daemonize=no', '--exit-idle-time=-1', '--disallow-exit', '--use-pid-file=no', '--log-target=stderr', '--system=no', '-F', scriptPath],
      { env: this.env, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    this.daemon = child;
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (stderr.length > 20_000) stderr = stderr.slice(-10_000);
      if (verbose) process.stderr.write(`[pulse] ${chunk.toString()}`);
    });
    this.daemonExited = new Promise((resolve) => child.once('exit', () => resolve()));
    let exited = false;
    child.once('exit', () => {
      exited = true;
    });
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (exited) throw new Error(`pulseaudio exited during start: ${stderr.trim().split('\n').slice(-5).join(' | ')}`);
      if (existsSync(this.socketPath)) {
        try {
          await this.pactl('info');
          return;
        } catch {
          // not ready yet
        }
      }
      if (Date.now() > deadline) throw new Error(`pulseaudio did not start in 10 s: ${stderr.slice(-500)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Runs pactl against this room; returns stdout. */
  async pactl(...args: string[]): Promise<string> {
    const { stdout } = await execFileAsync('pactl', args, { env: this.env, timeout: 10_000 });
    return stdout.trim();
  }

  /** Loads a module, returns its index. */
  async loadModule(name: string, ...args: string[]): Promise<number> {
    const out = await this.pactl('load-module', name, ...args);
    return Number.parseInt(out, 10);
  }

  async unloadModule(index: number): Promise<void> {
    await this.pactl('unload-module', String(index));
  }

  /** Adds another remap of micmix.monitor as a second microphone; returns its module index. */
  async addMicrophone(name: string, description: string): Promise<number> {
    return this.loadModule('module-remap-source', 'master=micmix.monitor', `source_name=${name}`, 'channels=1', `source_properties=device.description=${description}`);
  }

  /** Module index of the `mic` source. */
  async moduleOfSource(name: string): Promise<number> {
    const out = await this.pactl('list', 'short', 'modules');
    for (const line of out.split('\n')) {
      const [index, module, args] = line.split('\t');
      if (module === 'module-remap-source' && args?.includes(`source_name=${name}`)) return Number(index);
    }
    throw new Error(`no module-remap-source for ${name}`);
  }

  /**
   * Plays a wav file into a sink (`micmix` = the near-end voice in the room). Resolves when the
   * player exits; the player is stopped by PID on close().
   */
  play(file: string, sink = 'micmix'): { done: Promise<void>; child: ChildProcess } {
    const child = spawn('paplay', [`--device=${sink}`, '--latency-msec=20', file], { env: this.env, stdio: 'ignore' });
    this.players.add(child);
    const done = new Promise<void>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code, signal) => {
        this.players.delete(child);
        if (code === 0 || this.closed) resolve();
        else reject(new Error(`paplay exited with ${code ?? signal}`));
      });
    });
    return { done, child };
  }

  /**
   * Records a source as raw s16le mono 48 kHz (e.g. `speaker.monitor`, what the room hears).
   * `onData` gets each chunk with the wall-clock time it arrived.
   */
  record(source: string, onData: (chunk: Buffer, arrivedAt: number) => void): ChildProcess {
    const child = spawn('parec', [`--device=${source}`, '--format=s16le', '--rate=48000', '--channels=1', '--latency-msec=10', '--raw'], {
      env: this.env,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    child.stdout?.on('data', (chunk: Buffer) => onData(chunk, Date.now()));
    this.players.add(child);
    child.once('exit', () => this.players.delete(child));
    return child;
  }

  /** Stops every player and the daemon (by PID), waits for them, removes the folder. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const waits: Promise<void>[] = [];
    for (const child of this.players) {
      if (child.exitCode === null && child.signalCode === null) {
        waits.push(new Promise((resolve) => child.once('exit', () => resolve())));
        child.kill('SIGTERM');
      }
    }
    await Promise.all(waits);
    const daemon = this.daemon;
    if (daemon && daemon.exitCode === null && daemon.signalCode === null) {
      daemon.kill('SIGTERM');
      const timer = setTimeout(() => daemon.kill('SIGKILL'), 3000);
      await this.daemonExited;
      clearTimeout(timer);
    }
    await rm(this.dir, { recursive: true, force: true });
  }
}
