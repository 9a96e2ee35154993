// The processes, clients and state folders of a test that starts, kills and restarts server nodes
// on one state file; `close()` after each test stops and removes all of them.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { SignalClient } from '../../../common/signal/signal-client';
import { nodeClient, startServerNode, type ServerNode } from './signal-nodes';

export class RestartableNodes {
  private readonly nodes: ServerNode[] = [];
  private readonly clients: SignalClient[] = [];
  private readonly dirs: string[] = [];

  /** A state file path in a fresh temporary folder (removed by close()). */
  stateFile(prefix = 'linkmic-state-'): string {
    const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
    this.dirs.push(dir);
    return path.join(dir, 'signal-state.json');
  }

  /** A server node on `stateFile` (`--http-port {httpPort ?? 0} --state-file …`, plus `args`). */
  async start(stateFile: string, options: { httpPort?: number; args?: readonly string[] } = {}): Promise<ServerNode> {
    const node = await startServerNode(['--http-port', String(options.httpPort ?? 0), '--state-file', stateFile, ...(options.args ?? [])]);
    this.nodes.push(node);
    return node;
  }

  async client(node: ServerNode, userId: string): Promise<SignalClient> {
    const client = await nodeClient(node.wsUrl, userId);
    this.clients.push(client);
    return client;
  }

  async close(): Promise<void> {
    for (const client of this.clients.splice(0)) client.close();
    await Promise.all(this.nodes.splice(0).map((node) => node.child.stop()));
    for (const dir of this.dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  }
}
