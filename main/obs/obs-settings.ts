// The settings side of the OBS engine: the engine view the console shows, and "Test connection".
import { DEFAULT_ENGINE_SETTINGS, type EngineView, type ObsDescription, type StudioSettings } from '../../common/studio-api';
import { ObsClient } from './obs-client';
import { describeObs } from './obs-probe';

export function engineView(settings: StudioSettings, hasObsPassword: boolean): EngineView {
  const engine = settings.engine ?? DEFAULT_ENGINE_SETTINGS;
  return { kind: engine.kind, obsUrl: engine.obsUrl, hasObsPassword };
}

/** Connects, describes OBS (version, obs-websocket version, scenes) and disconnects. */
export async function testObsConnection(url: string, password: string | null): Promise<ObsDescription> {
  const client = await ObsClient.connect({ url, password: password === '' ? null : password });
  try {
    return await describeObs(client);
  } finally {
    await client.close();
  }
}
