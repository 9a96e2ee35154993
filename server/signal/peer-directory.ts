// The Peer objects behind PeerRefs: a live connection of this node, or a stand-in for a connection
// held by another node (or one of this node's that closed before its attach ran). The hub keeps
// Peers in sets by identity, so a ref maps to the same object from its attach to its detach.
import type { PeerRef } from './signal-snapshot';
import type { Peer } from './signal-state';

/** A connection this node cannot write to; `relay` (if any) carries its messages elsewhere. */
export class RemotePeer implements Peer {
  constructor(
    readonly ref: PeerRef,
    readonly userId: string,
    private readonly relay: ((ref: PeerRef, text: string) => void) | undefined,
  ) {}

  sendRaw(text: string): void {
    this.relay?.(this.ref, text);
  }
}

export class PeerDirectory {
  private readonly peers = new Map<string, { ref: PeerRef; peer: Peer }>();
  private readonly refs = new WeakMap<Peer, PeerRef>();

  constructor(
    private readonly nodeId: string,
    private readonly local: (connectionId: string) => Peer | undefined,
    private readonly relay?: (ref: PeerRef, text: string) => void,
  ) {}

  peerOf(ref: PeerRef, userId: string): Peer {
    const key = keyOf(ref);
    const known = this.peers.get(key);
    if (known) return known.peer;
    const live = ref.node === this.nodeId ? this.local(ref.connection) : undefined;
    const peer = live ?? new RemotePeer(ref, userId, ref.node === this.nodeId ? undefined : this.relay);
    this.peers.set(key, { ref, peer });
    this.refs.set(peer, ref);
    return peer;
  }

  refOf(peer: Peer): PeerRef | undefined {
    return this.refs.get(peer);
  }

  /** Removes and returns the peer of a ref (undefined when it was never attached). */
  release(ref: PeerRef): Peer | undefined {
    const key = keyOf(ref);
    const known = this.peers.get(key);
    this.peers.delete(key);
    return known?.peer;
  }

  peersOn(node: string): PeerRef[] {
    const refs: PeerRef[] = [];
    for (const { ref } of this.peers.values()) if (ref.node === node) refs.push(ref);
    return refs;
  }

  /** Nodes other than this one that hold peers. */
  otherNodes(): Set<string> {
    const nodes = new Set<string>();
    for (const { ref } of this.peers.values()) if (ref.node !== this.nodeId) nodes.add(ref.node);
    return nodes;
  }

  clear(): void {
    this.peers.clear();
  }
}

function keyOf(ref: PeerRef): string {
  return `${ref.node}\u0000${ref.connection}`;
}
