// The in-memory signal store: commands run at once on the one node; nothing survives the process.
import type { Clock } from './clock';
import { PeerDirectory } from './peer-directory';
import type { PeerRef } from './signal-snapshot';
import type { Peer } from './signal-state';
import type { SignalCommand, SignalStore, SignalStoreHost } from './signal-store';

export class MemorySignalStore implements SignalStore {
  readonly kind: 'memory' | 'file' = 'memory';
  readonly nodeId = 'local';
  protected host: SignalStoreHost | undefined;
  protected directory: PeerDirectory | undefined;

  hubClock(base: Clock): Clock {
    return base;
  }

  hubRandom(base: () => number): () => number {
    return base;
  }

  open(host: SignalStoreHost): void {
    this.host = host;
    this.directory = new PeerDirectory(this.nodeId, (connectionId) => host.localConnection(connectionId));
  }

  run(command: SignalCommand): unknown {
    if (!this.host) throw new Error('the signal store is not open');
    return this.host.apply(command);
  }

  direct<T>(operation: () => T): T {
    return operation();
  }

  peerOf(ref: PeerRef, userId: string): Peer {
    return this.directory!.peerOf(ref, userId);
  }

  release(ref: PeerRef): Peer | undefined {
    return this.directory?.release(ref);
  }

  peersOn(node: string): PeerRef[] {
    return this.directory?.peersOn(node) ?? [];
  }

  close(): Promise<void> {
    this.directory?.clear();
    return Promise.resolve();
  }
}
