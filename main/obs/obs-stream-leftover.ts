// The streamer's own OBS stream settings, kept on disk while OBS carries our signed key: saved
// before the studio writes its key into OBS, cleared once they are written back. A studio that
// crashed while live through OBS leaves them behind, and the next connection to OBS puts them
// back (see ObsStreamService.restoreLeftover). The record holds the streamer's stream key (and
// rtmp_custom's username / password when they use them) and our signed key, so the whole of it
// lives in the secret store, never in settings.json.
import { z } from 'zod';
import type { SecretStore } from '../settings/secret-store';
import type { SavedStreamService, ObsStreamTarget } from './obs-stream-service';

/** The secret-store key of the saved settings. */
export const OBS_LEFTOVER_KEY = 'obs-previous-stream-service';

const leftoverSchema = z
  .object({
    /** What OBS had before our first write. */
    previous: z.object({ streamServiceType: z.string().min(1), streamServiceSettings: z.record(z.string(), z.unknown()) }).strict(),
    /** What we wrote last: restored only while OBS still has exactly this. */
    written: z.object({ server: z.string(), key: z.string() }).strict(),
  })
  .strict();

export interface ObsServiceLeftover {
  readonly previous: SavedStreamService;
  readonly written: ObsStreamTarget;
}

export interface ObsServiceLeftoverStore {
  /** The leftover, or null (none, or unreadable: an unreadable one is dropped). */
  load(): Promise<ObsServiceLeftover | null>;
  save(leftover: ObsServiceLeftover): Promise<void>;
  clear(): Promise<void>;
}

/** The leftover as one JSON value in the studio's secret store, checked with zod when read. */
export class SecretLeftoverStore implements ObsServiceLeftoverStore {
  constructor(private readonly secrets: SecretStore) {}

  async load(): Promise<ObsServiceLeftover | null> {
    const text = await this.secrets.get(OBS_LEFTOVER_KEY);
    if (text === null) return null;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      value = undefined; // unreadable: refused by the schema below like any other bad record
    }
    const parsed = leftoverSchema.safeParse(value);
    if (!parsed.success) {
      await this.clear();
      return null;
    }
    return parsed.data as ObsServiceLeftover;
  }

  save(leftover: ObsServiceLeftover): Promise<void> {
    const valid = leftoverSchema.parse({ previous: leftover.previous, written: { server: leftover.written.server, key: leftover.written.key } });
    return this.secrets.set(OBS_LEFTOVER_KEY, JSON.stringify(valid));
  }

  clear(): Promise<void> {
    return this.secrets.delete(OBS_LEFTOVER_KEY);
  }
}
