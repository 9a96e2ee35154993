// How an operator marks server-to-server relays so the hooks allow them without a lock or a slot:
// an edge's pull carries a secret pageUrl (nginx-rtmp: `pull rtmp://origin/live pageUrl=<secret>;`),
// or comes from a listed edge address (SRS edges pull with the first player's own query).
import { constantTimeEqual } from '../../common';

export interface RelayMarkersOptions {
  /** The pageUrl an edge's pull sends; compared in constant time. */
  readonly pageUrl?: string | undefined;
  /** Addresses of the edges: their plays on an origin are relays. */
  readonly addresses?: readonly string[] | undefined;
}

export class RelayMarkers {
  private readonly addresses: ReadonlySet<string>;

  constructor(private readonly options: RelayMarkersOptions = {}) {
    this.addresses = new Set(options.addresses ?? []);
  }

  /** A play on an origin by one of the cluster's edges. */
  isRelayPlay(pageUrl: string | undefined, ip: string): boolean {
    const marker = this.options.pageUrl;
    if (marker !== undefined && pageUrl !== undefined && pageUrl !== '' && constantTimeEqual(pageUrl, marker)) return true;
    return this.addresses.has(ip);
  }
}
