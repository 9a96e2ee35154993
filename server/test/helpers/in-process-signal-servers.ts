// The in-process signal servers (signal-harness) of a test and the state folders they restart on,
// as RestartableNodes is for server processes; `close()` after each test stops and removes them.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FileSignalStore } from '../../signal/file-signal-store';
import { startSignalServer, type SignalTestServer } from '../signal-harness';

const QUIET = { info: () => undefined, warn: () => undefined };

export class InProcessSignalServers {
  private readonly servers: SignalTestServer[] = [];
  private readonly dirs: string[] = [];

  /** A state file path in a fresh temporary folder (removed by close()). */
  stateFile(prefix = 'linkmic-state-'): string {
    const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
    this.dirs.push(dir);
    return path.join(dir, 'signal-state.json');
  }

  /** A store on `file` that logs nothing, for a server to start (or restart) on. */
  store(file: string): FileSignalStore {
    return new FileSignalStore({ file, logger: QUIET });
  }

  async start(...args: Parameters<typeof startSignalServer>): Promise<SignalTestServer> {
    const server = await startSignalServer(...args);
    this.servers.push(server);
    return server;
  }

  async close(): Promise<void> {
    for (const server of this.servers.splice(0)) await server.close();
    for (const dir of this.dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  }
}
