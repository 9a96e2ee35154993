// Writes OBS's stream service for a go-live (rtmp_custom: server + stream key carrying
// `mix=…&txSecret=…&txTime=…`) and puts the streamer's own settings back afterwards. The saved
// settings are taken once, before the first write, so a re-push (new URL) never saves ours.
import type { OBSResponseTypes } from 'obs-websocket-js';
import { ValidationError } from '../../common/errors';
import type { ObsClient } from './obs-client';

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

export class ObsStreamService {
  private saved: SavedStreamService | null = null;

  constructor(private readonly client: ObsClient) {}

  /** The streamer's settings as they were before our first write (null before it). */
  get savedSettings(): SavedStreamService | null {
    return this.saved;
  }

  async apply(target: ObsStreamTarget): Promise<void> {
    if (!this.saved) {
      const current = await this.client.call('GetStreamServiceSettings');
      this.saved = { streamServiceType: current.streamServiceType, streamServiceSettings: current.streamServiceSettings };
    }
    await this.client.call('SetStreamServiceSettings', {
      streamServiceType: 'rtmp_custom',
      streamServiceSettings: { server: target.server, key: target.key },
    });
  }

  /** Writes the saved settings back (nothing when we never wrote). Safe to call twice. */
  async restore(): Promise<void> {
    const saved = this.saved;
    if (!saved) return;
    // obs-websocket refuses empty settings (403): an OBS that never had a service gets a blank key.
    const settings = Object.keys(saved.streamServiceSettings).length > 0 ? saved.streamServiceSettings : { key: '' };
    await this.client.call('SetStreamServiceSettings', { streamServiceType: saved.streamServiceType, streamServiceSettings: settings });
    this.saved = null;
  }
}
