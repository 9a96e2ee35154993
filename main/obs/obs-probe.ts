// "Test connection": what the settings panel shows about the OBS it reached — OBS's version, the
// obs-websocket version, the scenes and the one on the program.
import type { ObsDescription } from '../../common/studio-api';
import type { ObsClient } from './obs-client';

export async function describeObs(client: ObsClient): Promise<ObsDescription> {
  const version = await client.call('GetVersion');
  const list = await client.call('GetSceneList');
  // obs-websocket lists scenes bottom-up (index 0 is the last in OBS's dock); show them as OBS does.
  const scenes = [...list.scenes]
    .sort((a, b) => Number(b['sceneIndex']) - Number(a['sceneIndex']))
    .map((scene) => String(scene['sceneName']));
  return {
    obsVersion: version.obsVersion,
    obsWebSocketVersion: version.obsWebSocketVersion,
    rpcVersion: version.rpcVersion,
    platform: version.platformDescription,
    scenes,
    currentScene: list.currentProgramSceneName ?? null,
  };
}
