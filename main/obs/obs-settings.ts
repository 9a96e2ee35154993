// The settings side of the OBS engine: the engine view the console shows, and "Test connection".
import { DEFAULT_ENGINE_SETTINGS, type EngineView, type ObsDescription, type StudioSettings } from '../../common/studio-api';
import { ObsClient } from './obs-client';
import { describeObs } from './obs-probe';
import type { ObsServiceLeftoverStore } from './obs-stream-leftover';
import { ObsStreamService } from './obs-stream-service';

export function engineView(settings: StudioSettings, hasObsPassword: boolean): EngineView {
  const engine = settings.engine ?? DEFAULT_ENGINE_SETTINGS;
  return { kind: engine.kind, obsUrl: engine.obsUrl, hasObsPassword };
}

/**
 * Connects, describes OBS (version, obs-websocket version, scenes) and disconnects. With a leftover
 * store it also puts back stream settings a crashed studio left in OBS (best effort: Test connection
 * answers either way).
 */
export async function testObsConnection(url: string, password: string | null, leftovers: ObsServiceLeftoverStore | null = null): Promise<ObsDescription> {
  const client = await ObsClient.connect({ url, password: password === '' ? null : password });
  try {
    await new ObsStreamService(client, leftovers).restoreLeftover().catch(() => undefined);
    return await describeObs(client);
  } finally {
    await client.close();
  }
}
