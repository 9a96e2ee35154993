// Writes OBS's stream service for a go-live (rtmp_custom: server + stream key carrying
// `mix=…&txSecret=…&txTime=…`) and puts the streamer's own settings back afterwards. The saved
// settings are taken once, before the first write, so a re-push (new URL) never saves ours. With a
// leftover store they are also kept on disk before each write and cleared after the restore, so a
// studio that crashed while live gives them back on its next connection (restoreLeftover).
import type { OBSResponseTypes } from 'obs-websocket-js';
import { ValidationError } from '../../common/errors';
import type { ObsClient } from './obs-client';
import type { ObsServiceLeftoverStore } from './obs-stream-leftover';

export interface ObsStreamTarget {
  /** rtmp://host:port/app */
  readonly server: string;
  /** streamCode?mix=…&txSecret=…&txTime=… */
  readonly key: string;
}

/** Splits a push URL `rtmp://host/live/{code}?…` into OBS's server and stream key. */
export function toObsStreamTarget(pushUrl: string): ObsStreamTarget {
  let url: URL;
  try {
    url = new URL(pushUrl);
  } catch {
    throw new ValidationError('INVALID_URL', 'url', `not a push URL: ${pushUrl}`);
  }
  const parts = url.pathname.split('/').filter((part) => part.length > 0);
  if (!/^rtmps?:$/.test(url.protocol) || parts.length !== 2) {
    throw new ValidationError('INVALID_URL', 'url', `a push URL is rtmp://host/app/streamCode?…, got ${pushUrl}`);
  }
  return { server: `${url.protocol}//${url.host}/${parts[0]!}`, key: `${parts[1]!}${url.search}` };
}

export interface SavedStreamService {
  readonly streamServiceType: string;
  readonly streamServiceSettings: OBSResponseTypes['GetStreamServiceSettings']['streamServiceSettings'];
}

/** What restoreLeftover did: nothing saved, put back, kept (OBS is streaming), or dropped (OBS no longer has our key). */
export type LeftoverOutcome = 'none' | 'restored' | 'kept' | 'dropped';

export class ObsStreamService {
  private saved: SavedStreamService | null = null;

  constructor(
    private readonly client: ObsClient,
    private readonly leftovers: ObsServiceLeftoverStore | null = null,
  ) {}

  /**
   * Puts back settings a previous studio saved and never restored (it crashed while live), unless
   * OBS is streaming (kept for the next connection) or OBS's settings are no longer the ones that
   * studio wrote (the streamer changed them since: dropped, theirs stay).
   */
  async restoreLeftover(): Promise<LeftoverOutcome> {
    if (!this.leftovers) return 'none';
    const leftover = await this.leftovers.load();
    if (!leftover) return 'none';
    if ((await this.client.call('GetStreamStatus')).outputActive) return 'kept';
    const current = await this.client.call('GetStreamServiceSettings');
    const ours =
      current.streamServiceType === 'rtmp_custom' &&
      current.streamServiceSettings['server'] === leftover.written.server &&
      current.streamServiceSettings['key'] === leftover.written.key;
    if (ours) await this.write(leftover.previous);
    await this.leftovers.clear();
    return ours ? 'restored' : 'dropped';
  }

  /** The streamer's settings as they were before our first write (null before it). */
  get savedSettings(): SavedStreamService | null {
    return this.saved;
  }

  async apply(target: ObsStreamTarget): Promise<void> {
    if (!this.saved) {
      const current = await this.client.call('GetStreamServiceSettings');
      this.saved = { streamServiceType: current.streamServiceType, streamServiceSettings: current.streamServiceSettings };
    }
    // On disk before OBS gets our key: a crash from here on leaves the streamer's settings findable.
    await this.leftovers?.save({ previous: this.saved, written: target });
    await this.client.call('SetStreamServiceSettings', {
      streamServiceType: 'rtmp_custom',
      streamServiceSettings: { server: target.server, key: target.key },
    });
  }

  /** Writes the saved settings back (nothing when we never wrote). Safe to call twice. */
  async restore(): Promise<void> {
    const saved = this.saved;
    if (!saved) return;
    await this.write(saved);
    this.saved = null;
    await this.leftovers?.clear();
  }

  private async write(saved: SavedStreamService): Promise<void> {
    // obs-websocket refuses empty settings (403): an OBS that never had a service gets a blank key.
    const settings = Object.keys(saved.streamServiceSettings).length > 0 ? saved.streamServiceSettings : { key: '' };
    await this.client.call('SetStreamServiceSettings', { streamServiceType: saved.streamServiceType, streamServiceSettings: settings });
  }
}
