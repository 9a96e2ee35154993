// The studio with OBS Studio as its engine (real OBS headless, real embedded server, real
// signalling): settings and Test connection, going live through OBS (the stream plays from our
// origin, OBS's figures reach the status bar's stats, the streamer's settings come back), a
// forged key read as refused in the console's words, a linked guest shown in the layout's box of
// OBS's program until hang-up and, linked again, until the host kicks it, and a PK opponent shown
// as an ffmpeg_source in the side-by-side box until the PK ends.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { translateError } from '../../common/i18n';
import { buildPushUrl } from '../../common/urls';
import { sign } from '../../common/signing';
import { BIG_HOST_PRESET } from '../../common/presets';
import { defaultLayout } from '../../common/layout';
import { ObsClient } from '../obs/obs-client';
import { CO_HOST_SCENE_NAME, ObsCoHostInputs } from '../obs/obs-co-host-inputs';
import { ObsPushEngine } from '../obs/obs-push-engine';
import { OBS_LEFTOVER_KEY } from '../obs/obs-stream-leftover';
import { MemorySecretStore } from '../settings/secret-store';
import { probeStreams, waitUntil } from './helpers/engine-media';
import { HeadlessObs, obsInstalled } from './helpers/obs-headless';
import { isBlack, meanColour, programScreenshot } from './helpers/obs-screenshot';
import { nextEvent, startTestCore, testSettings, waitForState, type TestCore } from './studio-test-core';

const OBS_TIMEOUT = 240_000;

describe.skipIf(!obsInstalled())('the studio with OBS Studio as its engine (real OBS, headless)', () => {
  let obs: HeadlessObs;
  let watcher: ObsClient;
  const studios: TestCore[] = [];

  beforeAll(async () => {
    obs = await HeadlessObs.start();
    watcher = await ObsClient.connect({ url: obs.url, password: obs.password });
  }, OBS_TIMEOUT);

  afterEach(async () => {
    for (const studio of studios.splice(0).reverse()) await studio.close();
  }, OBS_TIMEOUT);

  afterAll(async () => {
    await watcher?.close();
    await obs?.stop();
  }, OBS_TIMEOUT);

  /** The inputs in the studio's co-host scene of OBS now (empty when the scene is not there). */
  async function coHostInputNames(): Promise<string[]> {
    const scenes = await watcher.call('GetSceneList');
    if (!scenes.scenes.some((scene) => scene['sceneName'] === CO_HOST_SCENE_NAME)) return [];
    const items = await watcher.call('GetSceneItemList', { sceneName: CO_HOST_SCENE_NAME });
    return items.sceneItems.map((item) => String(item['sourceName']));
  }

  async function obsHost(secrets = new MemorySecretStore()): Promise<TestCore> {
    const host = await startTestCore(testSettings({ userId: 'obs-host', streamCode: 'obs_room' }), { secrets });
    studios.push(host);
    return host;
  }

  it('keeps the OBS password in the secret store and tests the connection (OBS version, obs-websocket version, scenes)', async () => {
    const secrets = new MemorySecretStore();
    const host = await startTestCore(testSettings({ userId: 'obs-settings', streamCode: 'obs_settings' }), { secrets });
    studios.push(host);
    expect((await host.api.getState()).engine).toEqual({ kind: 'ffmpeg', obsUrl: 'ws://127.0.0.1:4455', hasObsPassword: false });
    const view = await host.api.setEngine({ kind: 'obs', obsUrl: obs.url, obsPassword: obs.password });
    expect(view).toEqual({ kind: 'obs', obsUrl: obs.url, hasObsPassword: true });
    expect(JSON.stringify(await host.api.getSettings())).not.toContain(obs.password);
    expect(await secrets.get('obs-websocket-password')).toBe(obs.password);

    const found = await host.api.testObsConnection();
    expect(found).toMatchObject({ obsWebSocketVersion: expect.stringMatching(/^5\./), rpcVersion: 1, currentScene: 'Scene' });
    expect(found.obsVersion).toMatch(/^\d+\.\d+/);
    expect(found.scenes).toContain('Scene');
    await expect(host.api.testObsConnection({ obsPassword: 'wrong' })).rejects.toMatchObject({ code: 'OBS_AUTH_FAILED' });
  });

  it("goes live through OBS: the stream plays from our origin, OBS's figures reach the stats, and stopping gives OBS back its settings", async () => {
    const secrets = new MemorySecretStore();
    const host = await obsHost(secrets);
    await host.api.setEngine({ kind: 'obs', obsUrl: obs.url, obsPassword: obs.password });
    const own = { service: 'Twitch', server: 'auto', key: 'streamers-own-key' };
    await watcher.call('SetStreamServiceSettings', { streamServiceType: 'rtmp_common', streamServiceSettings: own });
    await host.api.goLive();
    const live = await waitForState(host.api, (s) => s.live.status === 'live', 'live through OBS', 120_000);
    expect(live.live.encoder).toMatch(/^OBS \d+\./);
    // While OBS has our key, the streamer's settings (their key included) wait in the secret store.
    expect(JSON.parse((await secrets.get(OBS_LEFTOVER_KEY))!)).toMatchObject({ previous: { streamServiceType: 'rtmp_common', streamServiceSettings: own } });
    expect(JSON.stringify(await host.api.getSettings())).not.toContain('streamers-own-key');
    const tracks = await probeStreams(`${host.embedded().httpUrl}/live/obs_room.flv`);
    expect(tracks.find((track) => track.codec_type === 'video')).toMatchObject({ codec_name: 'h264' });
    const stats = await nextEvent(host.api, 'stats', (s) => s.frames > 0 && s.cpuPercent !== undefined, 60_000);
    expect(stats.cpuPercent).toBeGreaterThan(0);
    // OBS's output frames (skipped of total) and the bytes it sent, for the status bar.
    expect(stats.bytesSent).toBeGreaterThan(0);
    expect(stats.droppedFrames).toBeGreaterThanOrEqual(0);
    expect(stats.droppedFrames).toBeLessThanOrEqual(stats.frames);
    const obsStatus = await watcher.call('GetStreamStatus');
    expect(obsStatus.outputTotalFrames).toBeGreaterThanOrEqual(stats.frames);
    expect(obsStatus.outputBytes).toBeGreaterThanOrEqual(stats.bytesSent!);

    await host.api.stopLive();
    expect((await watcher.call('GetStreamStatus')).outputActive).toBe(false);
    expect(await watcher.call('GetStreamServiceSettings')).toEqual({ streamServiceType: 'rtmp_common', streamServiceSettings: own });
    expect(await secrets.get(OBS_LEFTOVER_KEY)).toBeNull();
  }, OBS_TIMEOUT);

  it('reads a forged key as refused and says so in the console’s words (en, zh-CN)', async () => {
    const host = await obsHost();
    const rtmpHost = new URL(host.embedded().rtmpUrl).host;
    const forged = buildPushUrl({ rtmpHost, streamCode: 'obs_forged', mix: { sessionId: 4321 }, signature: sign('not-the-server-key', 'obs_forged', Math.floor(Date.now() / 1000) + 600) });
    const engine = new ObsPushEngine();
    const session = await engine.startPush(
      { url: forged, role: 'big', sources: { video: { kind: 'test-pattern' }, audio: { kind: 'test-tone' } }, encoder: { preference: 'software' }, settings: BIG_HOST_PRESET, ffmpegPath: null },
      { url: obs.url, password: obs.password },
    );
    let wentLive = false;
    session.events.on('status', ({ status }) => (wentLive ||= status === 'live'));
    const closed = await new Promise<{ closedByUs: boolean; error: { code: string; message: string } | null }>((resolve) => session.events.once('close', resolve));
    expect(closed.closedByUs).toBe(false);
    expect(closed.error?.code).toBe('PUBLISH_REFUSED');
    expect(wentLive).toBe(false);
    expect(translateError('en', closed.error as never)).toMatch(/^The server refused the stream/);
    expect(translateError('zh-CN', closed.error as never)).toMatch(/^服务器拒绝了推流/);
    await engine.close();
  }, OBS_TIMEOUT);

  it("shows a linked guest in the layout's box of OBS's program, and the box is gone after hang-up and, linked again, after a kick", async () => {
    const host = await obsHost();
    await host.api.setEngine({ kind: 'obs', obsUrl: obs.url, obsPassword: obs.password });
    const embedded = host.embedded();
    const guest = await startTestCore(testSettings({ userId: 'obs-guest', streamCode: 'obs_guest', server: { kind: 'remote', httpUrl: embedded.httpUrl, userId: 'obs-guest' } }), { secrets: new MemorySecretStore() });
    studios.push(guest);
    await guest.api.setServerProfile({ kind: 'remote', httpUrl: embedded.httpUrl, userId: 'obs-guest', token: embedded.mintToken('obs-guest') });

    await host.api.goLive();
    const room = (await waitForState(host.api, (s) => s.live.status === 'live', 'host live through OBS', 120_000)).room!;
    const incoming = nextEvent(host.api, 'linkRequest', (r) => r.direction === 'incoming');
    const request = await guest.api.requestLinkMic({ roomId: room.roomId });
    await incoming;
    const link = await host.api.acceptLinkMic({ requestId: request.requestId });
    await waitForState(guest.api, (s) => s.live.status === 'live', 'guest live as small host', 120_000);
    const box = { x: 0.55, y: 0.5, w: 0.4, h: 0.45 };
    /** The host full frame, the guest in `box` (published again after each link). */
    const guestInBox = {
      templateId: 1 as const,
      participants: [
        { userId: 'obs-host', streamCode: 'obs_room', rect: { x: 0, y: 0, w: 1, h: 1 }, z: 0 },
        { userId: 'obs-guest', streamCode: 'obs_guest', rect: box, z: 1 },
      ],
    };
    await host.api.setLayout({ layout: guestInBox });

    let shot = await programScreenshot(watcher, 320, 180);
    await waitUntil(async () => {
      shot = await programScreenshot(watcher, 320, 180);
      return !isBlack(meanColour(shot, box));
    }, 120_000, "the guest's picture in its box of OBS's program");
    expect(isBlack(meanColour(shot, { x: 0.05, y: 0.05, w: 0.4, h: 0.35 }))).toBe(true);

    await host.api.hangUp({ linkId: link.linkId });
    await waitUntil(async () => isBlack(meanColour(await programScreenshot(watcher, 320, 180), box)), 60_000, 'the box to be gone after hang-up');
    expect(await coHostInputNames()).toEqual([]);

    // Linked again, then kicked by the host: the input goes as with hang-up.
    const again = nextEvent(host.api, 'linkRequest', (r) => r.direction === 'incoming');
    const second = await guest.api.requestLinkMic({ roomId: room.roomId });
    await again;
    const relinked = await host.api.acceptLinkMic({ requestId: second.requestId });
    await waitForState(host.api, (s) => s.links.some((l) => l.linkId === relinked.linkId), 'the guest linked again');
    await host.api.setLayout({ layout: guestInBox });
    await waitUntil(async () => !isBlack(meanColour(await programScreenshot(watcher, 320, 180), box)), 120_000, "the guest's picture back in its box");
    expect(await coHostInputNames()).toEqual([ObsCoHostInputs.inputName('obs-guest')]);
    const kicked = nextEvent(guest.api, 'linkEnded', (e) => e.linkId === relinked.linkId);
    await host.api.kickCoHost({ linkId: relinked.linkId });
    expect((await kicked).reason).toBe('kicked');
    await waitUntil(async () => isBlack(meanColour(await programScreenshot(watcher, 320, 180), box)), 60_000, 'the box to be gone after the kick');
    expect(await coHostInputNames()).toEqual([]);
    expect((await watcher.call('GetInputList')).inputs.map((input) => input['inputName'])).not.toContain(ObsCoHostInputs.inputName('obs-guest'));
    await host.api.stopLive();
  }, OBS_TIMEOUT);

  it("shows a PK opponent as an ffmpeg_source in the studio's scene, in the side-by-side box of OBS's program, and removes it when the PK ends", async () => {
    const host = await obsHost();
    await host.api.setEngine({ kind: 'obs', obsUrl: obs.url, obsPassword: obs.password });
    const embedded = host.embedded();
    // The opponent pushes with the built-in engine (test pattern) to its own room on the same server.
    const opponent = await startTestCore(testSettings({ userId: 'pk-rival', streamCode: 'pk_rival', server: { kind: 'remote', httpUrl: embedded.httpUrl, userId: 'pk-rival' } }), { secrets: new MemorySecretStore() });
    studios.push(opponent);
    await opponent.api.setServerProfile({ kind: 'remote', httpUrl: embedded.httpUrl, userId: 'pk-rival', token: embedded.mintToken('pk-rival') });

    await host.api.goLive();
    await waitForState(host.api, (s) => s.live.status === 'live', 'host live through OBS', 120_000);
    await opponent.api.goLive();
    const rivalRoom = (await waitForState(opponent.api, (s) => s.live.status === 'live', 'the opponent live', 120_000)).room!;

    const invited = nextEvent(opponent.api, 'pkInvite', (i) => i.direction === 'incoming');
    const { pkId } = await host.api.invitePk({ roomId: rivalRoom.roomId });
    await invited;
    const started = nextEvent(host.api, 'pkStarted');
    await opponent.api.acceptPk({ pkId });
    const pk = await started;
    // What the console's layout sync publishes when a PK starts: template 2, the two hosts side by side.
    const layout = defaultLayout(2, [
      { userId: 'obs-host', streamCode: 'obs_room' },
      { userId: 'pk-rival', streamCode: 'pk_rival' },
    ]);
    await host.api.setLayout({ layout });
    const [ownHalf, rivalHalf] = layout.participants.map((p) => p.rect);
    expect(rivalHalf).toEqual({ x: 0.5, y: 0, w: 0.5, h: 1 });

    await waitUntil(async () => !isBlack(meanColour(await programScreenshot(watcher, 320, 180), rivalHalf!)), 120_000, "the opponent's picture in the right half of OBS's program");
    expect(isBlack(meanColour(await programScreenshot(watcher, 320, 180), ownHalf!))).toBe(true);
    const inputName = ObsCoHostInputs.inputName('pk-rival');
    expect(await coHostInputNames()).toEqual([inputName]);
    const input = await watcher.call('GetInputSettings', { inputName });
    expect(input.inputKind).toBe('ffmpeg_source');
    expect(input.inputSettings).toMatchObject({ input: pk.playUrls.rtmp, is_local_file: false });
    const video = await watcher.call('GetVideoSettings');
    const { sceneItemId } = await watcher.call('GetSceneItemId', { sceneName: CO_HOST_SCENE_NAME, sourceName: inputName });
    const { sceneItemTransform } = await watcher.call('GetSceneItemTransform', { sceneName: CO_HOST_SCENE_NAME, sceneItemId });
    expect(sceneItemTransform).toMatchObject({
      positionX: video.baseWidth / 2,
      positionY: 0,
      boundsType: 'OBS_BOUNDS_SCALE_INNER',
      boundsWidth: video.baseWidth / 2,
      boundsHeight: video.baseHeight,
    });

    const ended = nextEvent(opponent.api, 'pkEnded');
    await host.api.endPk({ pkId });
    expect((await ended).pkId).toBe(pkId);
    await waitUntil(async () => isBlack(meanColour(await programScreenshot(watcher, 320, 180), rivalHalf!)), 60_000, "the opponent's box to be gone after the PK");
    expect(await coHostInputNames()).toEqual([]);
    expect((await watcher.call('GetInputList')).inputs.map((entry) => entry['inputName'])).not.toContain(inputName);
    await host.api.stopLive();
  }, OBS_TIMEOUT);
});
