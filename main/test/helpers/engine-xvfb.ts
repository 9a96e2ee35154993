// An Xvfb display for screen-capture tests: a free display number, started and stopped by PID.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { waitUntil } from './engine-media';

export class TestXvfb {
  private constructor(
    readonly display: string,
    private readonly child: ChildProcess,
    private readonly exited: Promise<void>,
  ) {}

  static async start(width = 1280, height = 720): Promise<TestXvfb> {
    for (let n = 90 + Math.floor(Math.random() * 200); n < 400; n++) {
      if (existsSync(`/tmp/.X11-unix/X${n}`) || existsSync(`/tmp/.X${n}-lock`)) continue;
      const child = spawn('Xvfb', [`:${n}`, '-screen', '0', `${width}x${height}x24`, '-nolisten', 'tcp'], { stdio: 'ignore' });
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      let dead = false;
      void exited.then(() => (dead = true));
      try {
        await waitUntil(() => dead || existsSync(`/tmp/.X11-unix/X${n}`), 10_000, `Xvfb :${n}`);
      } catch (error) {
        child.kill('SIGKILL');
        await exited;
        throw error;
      }
      if (dead) continue; // lost a race for that number
      return new TestXvfb(`:${n}`, child, exited);
    }
    throw new Error('no free X display number');
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null && this.child.pid !== undefined) process.kill(this.child.pid, 'SIGTERM');
    await this.exited;
  }
}
