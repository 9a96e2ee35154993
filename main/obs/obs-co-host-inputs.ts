// Co-hosts and PK opponents inside the streamer's OBS: one `ffmpeg_source` per linked party
// (its low-latency URL, not a local file, 1 MB buffer, reconnect after 1 s, hardware decode) in a
// scene the studio owns, nested (locked, on top) into the streamer's program scene and into every
// scene the streamer switches to. Each box follows the console's layout through
// SetSceneItemTransform with bounds (a source's size is 0 until its stream connects, so only
// bounds place it); mute and volume go to SetInputMute / SetInputVolume; monitoring is off (the
// console already plays co-hosts in the streamer's headphones, next to echo cancellation).
// Operations run one at a time in arrival order.
import type { Rect } from '../../common/layout';
import type { Disposable } from '../../common/typed-emitter';
import type { ObsClient } from './obs-client';

export const CO_HOST_SCENE_NAME = 'LinkMic Studio co-hosts';
const INPUT_PREFIX = 'LinkMic co-host ';

export interface ObsCoHostParty {
  readonly userId: string;
  /** The party's low-latency play URL (rtmp://… or http(s)://….flv). */
  readonly url: string;
  /** Its box on the output frame, normalised 0..1 (the console's layout). */
  readonly rect: Rect;
  readonly muted: boolean;
  /** 0..1 */
  readonly volume: number;
}

export interface ObsCoHostLogger {
  warn(message: string, fields?: Record<string, unknown>): void;
}

interface Placed {
  readonly party: ObsCoHostParty;
  readonly inputName: string;
  readonly sceneItemId: number;
}

/** The ffmpeg_source settings for one party (exported for the docs and tests). */
export function coHostInputSettings(url: string): Record<string, string | number | boolean> {
  return {
    input: url,
    is_local_file: false,
    restart_on_activate: true,
    close_when_inactive: false,
    buffering_mb: 1,
    reconnect_delay_sec: 1,
    hw_decode: true,
    clear_on_media_end: true,
  };
}

export class ObsCoHostInputs {
  private readonly placed = new Map<string, Placed>();
  private queue: Promise<unknown> = Promise.resolve();
  private canvas: { width: number; height: number } | null = null;
  private subscription: Disposable | null = null;
  private opened = false;
  private closed = false;

  constructor(
    private readonly client: ObsClient,
    private readonly logger: ObsCoHostLogger = { warn: () => undefined },
    readonly sceneName: string = CO_HOST_SCENE_NAME,
  ) {}

  /** Input name of a party (unique in OBS). */
  static inputName(userId: string): string {
    return `${INPUT_PREFIX}${userId}`;
  }

  /** The parties on screen now. */
  get parties(): readonly ObsCoHostParty[] {
    return [...this.placed.values()].map((placed) => placed.party);
  }

  /** Makes OBS show exactly these parties (adds, moves, re-levels and removes inputs). */
  set(parties: readonly ObsCoHostParty[]): Promise<void> {
    return this.run(async () => {
      if (this.closed) return;
      if (parties.length > 0) await this.open();
      const wanted = new Map(parties.map((party) => [party.userId, party]));
      for (const [userId, placed] of [...this.placed]) {
        const next = wanted.get(userId);
        if (!next || next.url !== placed.party.url) await this.removeInput(userId);
      }
      for (const party of parties) {
        const placed = this.placed.get(party.userId);
        if (!placed) await this.addInput(party);
        else await this.update(placed, party);
      }
    });
  }

  /** Removes every input, our nested items and our scene (OBS keeps the streamer's scenes). Idempotent. */
  close(): Promise<void> {
    if (this.closed) return this.queue.then(() => undefined);
    this.closed = true;
    this.subscription?.dispose();
    this.subscription = null;
    return this.run(async () => {
      if (!this.client.connected) return;
      for (const userId of [...this.placed.keys()]) await this.removeInput(userId);
      if (this.opened) await this.removeOwnScene();
    });
  }

  private run<T>(job: () => Promise<T>): Promise<T> {
    const result = this.queue.then(job, job);
    this.queue = result.catch(() => undefined);
    return result;
  }

  private async open(): Promise<void> {
    if (this.opened) return;
    const video = await this.client.call('GetVideoSettings');
    this.canvas = { width: video.baseWidth, height: video.baseHeight };
    // A scene left by a studio that did not close (a crash) is replaced, inputs and all.
    await this.removeOwnScene();
    await this.client.call('CreateScene', { sceneName: this.sceneName });
    this.opened = true;
    const program = await this.client.call('GetCurrentProgramScene');
    await this.nestInto(program.currentProgramSceneName);
    this.subscription = this.client.on('CurrentProgramSceneChanged', ({ sceneName }) => {
      void this.run(() => (this.closed ? Promise.resolve() : this.nestInto(sceneName))).catch((error: unknown) =>
        this.logger.warn('could not show the co-hosts in the new OBS scene', { scene: sceneName, error: String(error) }),
      );
    });
  }

  /** Adds our scene on top of `sceneName`, full canvas and locked, unless it is there already. */
  private async nestInto(sceneName: string): Promise<void> {
    if (sceneName === this.sceneName) return;
    const items = await this.client.call('GetSceneItemList', { sceneName });
    if (items.sceneItems.some((item) => item['sourceName'] === this.sceneName)) return;
    const { sceneItemId } = await this.client.call('CreateSceneItem', { sceneName, sourceName: this.sceneName, sceneItemEnabled: true });
    await this.client.call('SetSceneItemLocked', { sceneName, sceneItemId, sceneItemLocked: true });
  }

  private async removeOwnScene(): Promise<void> {
    const list = await this.client.call('GetSceneList');
    if (!list.scenes.some((scene) => scene['sceneName'] === this.sceneName)) return;
    const inputs = await this.client.call('GetSceneItemList', { sceneName: this.sceneName });
    for (const item of inputs.sceneItems) {
      const name = String(item['sourceName']);
      if (name.startsWith(INPUT_PREFIX)) await this.client.call('RemoveInput', { inputName: name }).catch(() => undefined);
    }
    for (const scene of list.scenes) {
      const sceneName = String(scene['sceneName']);
      if (sceneName === this.sceneName) continue;
      const items = await this.client.call('GetSceneItemList', { sceneName });
      for (const item of items.sceneItems) {
        if (item['sourceName'] !== this.sceneName) continue;
        await this.client.call('RemoveSceneItem', { sceneName, sceneItemId: Number(item['sceneItemId']) }).catch(() => undefined);
      }
    }
    // OBS drops the scene from its frontend list on its UI thread, after SceneRemoved: wait until
    // the list no longer has it (bounded), so a CreateScene of the same name right after succeeds.
    await this.client.call('RemoveScene', { sceneName: this.sceneName });
    for (let tries = 0; tries < 50; tries++) {
      const now = await this.client.call('GetSceneList');
      if (!now.scenes.some((scene) => scene['sceneName'] === this.sceneName)) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    this.logger.warn('OBS still lists the co-host scene after removing it', { scene: this.sceneName });
  }

  private async addInput(party: ObsCoHostParty): Promise<void> {
    const inputName = ObsCoHostInputs.inputName(party.userId);
    // An input of that name left outside our scene (a crash, a hand-made copy) would make CreateInput fail.
    await this.client.call('RemoveInput', { inputName }).catch(() => undefined);
    const { sceneItemId } = await this.client.call('CreateInput', {
      sceneName: this.sceneName,
      inputName,
      inputKind: 'ffmpeg_source',
      inputSettings: coHostInputSettings(party.url),
      sceneItemEnabled: true,
    });
    await this.client.call('SetInputAudioMonitorType', { inputName, monitorType: 'OBS_MONITORING_TYPE_NONE' });
    const placed: Placed = { party, inputName, sceneItemId };
    this.placed.set(party.userId, placed);
    await this.place(placed, party.rect);
    await this.client.call('SetInputVolume', { inputName, inputVolumeMul: party.volume });
    await this.client.call('SetInputMute', { inputName, inputMuted: party.muted });
  }

  private async update(placed: Placed, party: ObsCoHostParty): Promise<void> {
    const before = placed.party;
    this.placed.set(party.userId, { ...placed, party });
    if (!sameRect(before.rect, party.rect)) await this.place(placed, party.rect);
    if (before.volume !== party.volume) await this.client.call('SetInputVolume', { inputName: placed.inputName, inputVolumeMul: party.volume });
    if (before.muted !== party.muted) await this.client.call('SetInputMute', { inputName: placed.inputName, inputMuted: party.muted });
  }

  private async place(placed: Placed, rect: Rect): Promise<void> {
    const canvas = this.canvas ?? { width: 1280, height: 720 };
    await this.client.call('SetSceneItemTransform', {
      sceneName: this.sceneName,
      sceneItemId: placed.sceneItemId,
      sceneItemTransform: boxTransform(rect, canvas),
    });
  }

  private async removeInput(userId: string): Promise<void> {
    const placed = this.placed.get(userId);
    if (!placed) return;
    this.placed.delete(userId);
    await this.client.call('RemoveInput', { inputName: placed.inputName }).catch((error: unknown) => {
      this.logger.warn('could not remove a co-host input from OBS', { input: placed.inputName, error: String(error) });
    });
  }
}

/** The scene item transform that fits a source inside `rect` of the canvas (keeping its aspect). */
export function boxTransform(rect: Rect, canvas: { width: number; height: number }): Record<string, number | string> {
  return {
    positionX: Math.round(rect.x * canvas.width),
    positionY: Math.round(rect.y * canvas.height),
    rotation: 0,
    alignment: 5, // OBS_ALIGN_TOP | OBS_ALIGN_LEFT: the position is the box's top-left corner
    boundsType: 'OBS_BOUNDS_SCALE_INNER',
    boundsAlignment: 0, // centred inside the box
    boundsWidth: Math.max(1, Math.round(rect.w * canvas.width)),
    boundsHeight: Math.max(1, Math.round(rect.h * canvas.height)),
    cropLeft: 0,
    cropRight: 0,
    cropTop: 0,
    cropBottom: 0,
  };
}

function sameRect(a: Rect, b: Rect): boolean {
  return a.x === b.x && a.y === b.y && a.w === b.w && a.h === b.h;
}
