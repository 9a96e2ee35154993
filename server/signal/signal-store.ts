// Where the signalling state lives and who orders its changes. The service turns every state change
// (a connection attached or gone, a request, a stream published or gone, a node lost) into a
// SignalCommand and hands it to its store:
//   - memory (memory-signal-store.ts): runs it at once; the state dies with the process;
//   - file (file-signal-store.ts): runs it at once and saves the state to a file, debounced, so a
//     restarted server restores rooms, links and PKs and clients continue within the grace;
//   - redis (redis-signal-store.ts): appends it to a Redis stream that every node reads and runs in
//     the same order, so all nodes hold the same rooms, links and PKs; the state (a snapshot plus
//     the log) lives in Redis with TTLs, C2C goes to other nodes' sockets through Redis pub/sub.
import type { ClientMessage } from '../../common/signal/messages';
import type { Clock } from './clock';
import type { SignalHub } from './signal-hub';
import type { PeerRef } from './signal-snapshot';
import type { Peer } from './signal-state';

export type SignalCommand =
  | { readonly op: 'attach'; readonly peer: PeerRef; readonly userId: string }
  | { readonly op: 'detach'; readonly peer: PeerRef }
  | { readonly op: 'request'; readonly userId: string; readonly message: ClientMessage }
  | { readonly op: 'published' | 'unpublished'; readonly streamCode: string }
  /** Every connection of a node is gone (the node died or shut down). */
  | { readonly op: 'node-down'; readonly node: string }
  /** Time passed: timers due by now fire (Redis: keeps every node's timers in step). */
  | { readonly op: 'tick' };

/** What a store needs from the service that owns it. */
export interface SignalStoreHost {
  readonly hub: SignalHub;
  /** Runs one command against the hub and returns its result (throws a LinkMicError on refusal). */
  apply(command: SignalCommand): unknown;
  /** A live connection of this node by id. */
  localConnection(connectionId: string): Peer | undefined;
}

export interface SignalStore {
  readonly kind: 'memory' | 'file' | 'redis';
  /** The name connections of this process carry in commands and snapshots. */
  readonly nodeId: string;
  /** The clock the hub must use (Redis: the log's clock, the same on every node). */
  hubClock(base: Clock): Clock;
  /** The random source the hub must use (Redis: seeded per command, the same on every node). */
  hubRandom(base: () => number): () => number;
  /** Restores the saved state into the hub, then starts taking commands. */
  open(host: SignalStoreHost): void | Promise<void>;
  /** Runs a command: memory and file at once (its result, or it throws); Redis once it ran here (a promise). */
  run(command: SignalCommand): unknown;
  /**
   * Runs a read-only hub operation on this node whose events may reach other nodes' connections
   * (C2C): Redis relays them through pub/sub; the local stores just run it.
   */
  direct<T>(operation: () => T): T;
  /** The Peer a command's PeerRef stands for (the same object from attach to detach). */
  peerOf(ref: PeerRef, userId: string): Peer;
  /** Removes and returns the peer of a ref at its detach (undefined when it never attached). */
  release(ref: PeerRef): Peer | undefined;
  /** Refs of every peer on `node`. */
  peersOn(node: string): PeerRef[];
  /** Saves what must survive and stops; idempotent. */
  close(): Promise<void>;
}
