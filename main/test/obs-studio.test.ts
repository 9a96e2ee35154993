// The OBS parts against a real OBS Studio, headless (Xvfb, software GL, a fresh config folder, the
// websocket on with a password): Test connection, the wrong-password error (close code 4009), a
// go-live with a signed key that plays from our origin and gives the streamer's settings back, a
// forged key read as refused, the streamer's settings kept in the secret store while live and put
// back by the next go-live after a crash, the streamer stopping in OBS, and a co-host's ffmpeg_source shown
// in the layout's box of OBS's program and gone after hang-up. One OBS for the file (it is heavy
// on a shared 2-core machine); every wait is on an event or a bounded poll.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAudienceUrl } from '../../common/urls';
import { ObsClient } from '../obs/obs-client';
import { CO_HOST_SCENE_NAME, ObsCoHostInputs } from '../obs/obs-co-host-inputs';
import { describeObs } from '../obs/obs-probe';
import { ObsStream } from '../obs/obs-stream';
import { OBS_LEFTOVER_KEY, SecretLeftoverStore } from '../obs/obs-stream-leftover';
import { ObsStreamService } from '../obs/obs-stream-service';
import { FileSecretStore } from '../settings/secret-store';
import { probeStreams, waitUntil } from './helpers/engine-media';
import { TestOrigin } from './helpers/engine-origin';
import { HeadlessObs, obsInstalled } from './helpers/obs-headless';
import { isRed, meanColour, programScreenshot } from './helpers/obs-screenshot';

const OBS_TIMEOUT = 180_000;

describe.skipIf(!obsInstalled())('OBS Studio driven over obs-websocket (real OBS, headless)', () => {
  let obs: HeadlessObs;
  let origin: TestOrigin;
  let client: ObsClient;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    [obs, origin] = await Promise.all([HeadlessObs.start(), TestOrigin.start()]);
    client = await ObsClient.connect({ url: obs.url, password: obs.password });
  }, OBS_TIMEOUT);

  afterAll(async () => {
    for (const child of children) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve(null) : child.once('exit', resolve)));
    }
    await client?.close();
    await obs?.stop();
    await origin?.close();
  }, OBS_TIMEOUT);

  it("tests the connection: OBS's version, the obs-websocket version and the scenes", async () => {
    const description = await describeObs(client);
    expect(description.obsVersion).toMatch(/^\d+\.\d+\.\d+/);
    expect(description.obsWebSocketVersion).toMatch(/^5\./);
    expect(description.rpcVersion).toBe(1);
    expect(description.scenes).toContain('Scene');
    expect(description.currentScene).toBe('Scene');
  });

  it('says the password is wrong when OBS closes with 4009', async () => {
    const error = await ObsClient.connect({ url: obs.url, password: 'not-the-password' }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'OBS_AUTH_FAILED' });
    expect(String((error as Error).message)).toContain('4009');
  });

  it("goes live with a signed key: the stream plays from our origin, and OBS gets the streamer's own settings back", async () => {
    const own = { server: 'rtmp://streamer.example/app', key: 'streamers-own-key' };
    await client.call('SetStreamServiceSettings', { streamServiceType: 'rtmp_custom', streamServiceSettings: own });
    const published = new Promise((resolve) => origin.live.events.once('publish', resolve));
    const stream = await ObsStream.start(client, { url: origin.pushUrl('obs_signed'), statsIntervalMs: 500 });
    const live = new Promise((resolve) => stream.events.once('live', resolve));
    const stats = new Promise<{ totalFrames: number; bytes: number }>((resolve) => {
      const subscription = stream.events.on('stats', (figures) => {
        if (figures.totalFrames === 0) return;
        subscription.dispose();
        resolve(figures);
      });
    });
    await Promise.all([live, published]);

    const written = await client.call('GetStreamServiceSettings');
    expect(written.streamServiceType).toBe('rtmp_custom');
    expect(written.streamServiceSettings).toMatchObject({ server: `rtmp://${origin.rtmpHost}/live` });
    expect(String(written.streamServiceSettings['key'])).toMatch(/^obs_signed\?mix=session_id:1234&txSecret=[0-9a-f]{32}&txTime=[0-9A-F]+$/);
    const tracks = await probeStreams(origin.flvUrl('obs_signed'));
    expect(tracks.find((track) => track.codec_type === 'video')).toMatchObject({ codec_name: 'h264', width: 640, height: 360 });
    expect(tracks.find((track) => track.codec_type === 'audio')).toMatchObject({ codec_name: 'aac' });
    expect((await stats).bytes).toBeGreaterThan(0);

    const stopped = new Promise<{ cause: string; error: unknown }>((resolve) => stream.events.once('stopped', resolve));
    await stream.stop();
    expect(await stopped).toEqual({ cause: 'closed', error: null });
    const restored = await client.call('GetStreamServiceSettings');
    expect(restored).toMatchObject({ streamServiceType: 'rtmp_custom', streamServiceSettings: own });
  }, OBS_TIMEOUT);

  it("keeps the streamer's settings in the secret store while OBS has our key, and after a crash the next go-live puts them back first", async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'obs-leftover-'));
    const secretsFile = path.join(dataDir, 'secrets.json');
    try {
      const own = { server: 'rtmp://streamer.example/app', key: 'streamers-own-key' };
      await client.call('SetStreamServiceSettings', { streamServiceType: 'rtmp_custom', streamServiceSettings: own });

      // A studio goes live through OBS and then crashes: its connection goes, nothing is restored.
      const crashed = await ObsClient.connect({ url: obs.url, password: obs.password });
      const first = await ObsStream.start(crashed, { url: origin.pushUrl('obs_crashed'), statsIntervalMs: 0, leftovers: new SecretLeftoverStore(new FileSecretStore(secretsFile)) });
      await new Promise((resolve) => first.events.once('live', resolve));
      await crashed.close();
      expect((await client.call('GetStreamServiceSettings')).streamServiceSettings['key']).toMatch(/^obs_crashed\?mix=/);
      const onDisk = JSON.parse((await new FileSecretStore(secretsFile).get(OBS_LEFTOVER_KEY))!) as { previous: unknown; written: { key: string } };
      expect(onDisk.previous).toEqual({ streamServiceType: 'rtmp_custom', streamServiceSettings: own });
      expect(onDisk.written.key).toMatch(/^obs_crashed\?mix=/);

      // The next studio (a fresh store over the same file) connects while OBS still streams: kept.
      expect(await new ObsStreamService(client, new SecretLeftoverStore(new FileSecretStore(secretsFile))).restoreLeftover()).toBe('kept');
      expect(await new FileSecretStore(secretsFile).get(OBS_LEFTOVER_KEY)).not.toBeNull();

      // The streamer stops the stream in OBS; the next go-live finds the leftover and puts it back
      // before saving, so the streamer's settings, not the crashed studio's key, come back at the end.
      await client.call('StopStream');
      await waitUntil(async () => !(await client.call('GetStreamStatus')).outputActive, 30_000, "OBS's output to stop");
      const second = await ObsStream.start(client, { url: origin.pushUrl('obs_after_crash'), statsIntervalMs: 0, leftovers: new SecretLeftoverStore(new FileSecretStore(secretsFile)) });
      expect(second.savedService).toEqual({ streamServiceType: 'rtmp_custom', streamServiceSettings: own });
      await new Promise((resolve) => second.events.once('live', resolve));
      await second.stop();
      expect(await client.call('GetStreamServiceSettings')).toMatchObject({ streamServiceType: 'rtmp_custom', streamServiceSettings: own });
      expect(await new FileSecretStore(secretsFile).get(OBS_LEFTOVER_KEY)).toBeNull();

      // A leftover whose key OBS no longer has (the streamer changed the settings since) is dropped, theirs stay.
      const store = new SecretLeftoverStore(new FileSecretStore(secretsFile));
      await store.save({ previous: { streamServiceType: 'rtmp_custom', streamServiceSettings: { server: 'rtmp://old.example/app', key: 'old' } }, written: { server: `rtmp://${origin.rtmpHost}/live`, key: 'obs_gone?mix=x' } });
      expect(await new ObsStreamService(client, store).restoreLeftover()).toBe('dropped');
      expect(await client.call('GetStreamServiceSettings')).toMatchObject({ streamServiceSettings: own });
      expect(await store.load()).toBeNull();
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  }, OBS_TIMEOUT);

  it('reads a forged key as refused: STARTING → STOPPED without STARTED, though StartStream answered success', async () => {
    const refusedAtOrigin = new Promise<{ code: string }>((resolve) => origin.live.events.once('refused', resolve));
    const stream = await ObsStream.start(client, { url: origin.pushUrl('obs_forged', { key: 'not-the-server-key' }) });
    let wentLive = false;
    stream.events.on('live', () => (wentLive = true));
    const stopped = await new Promise<{ cause: string; error: { code: string } | null }>((resolve) => stream.events.once('stopped', resolve));
    expect(stopped.cause).toBe('refused');
    expect(stopped.error?.code).toBe('PUBLISH_REFUSED');
    expect(wentLive).toBe(false);
    expect((await refusedAtOrigin).code).toBe('SIGNATURE_INVALID');
    await stream.stop();
  }, OBS_TIMEOUT);

  it('tells the streamer stopping the stream in OBS from our own stop', async () => {
    const stream = await ObsStream.start(client, { url: origin.pushUrl('obs_stopped_in_obs') });
    await new Promise((resolve) => stream.events.once('live', resolve));
    const stopped = new Promise<{ cause: string; error: { code: string } | null }>((resolve) => stream.events.once('stopped', resolve));
    // The streamer's "Stop Streaming" button: another obs-websocket client is the same to OBS.
    const streamer = await ObsClient.connect({ url: obs.url, password: obs.password });
    await streamer.call('StopStream');
    await streamer.close();
    expect(await stopped).toMatchObject({ cause: 'stopped-in-obs', error: { code: 'OBS_STREAM_STOPPED' } });
    await stream.stop();
  }, OBS_TIMEOUT);

  it("shows a linked guest's stream in the layout's box of OBS's program, and removes it on hang-up", async () => {
    const guestCode = 'obs_guest_red';
    const published = new Promise((resolve) => origin.live.events.once('publish', resolve));
    const guest = spawn(
      'ffmpeg',
      [
        '-hide_banner', '-loglevel', 'error', '-re',
        '-f', 'lavfi', '-i', 'color=c=red:s=320x240:r=15',
        '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
        '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-g', '15', '-c:a', 'aac', '-b:a', '64k',
        '-f', 'flv', origin.pushUrl(guestCode, { layer: 's', sessionId: 1234 }),
      ],
      { stdio: 'ignore' },
    );
    children.push(guest);
    await published;

    const box = { x: 0.6, y: 0.55, w: 0.35, h: 0.4 };
    const inputs = new ObsCoHostInputs(client);
    const url = buildAudienceUrl({ protocol: 'rtmp', endpoint: { rtmpHost: origin.rtmpHost, httpHost: origin.httpHost }, streamCode: guestCode });
    await inputs.set([{ userId: 'guest-1', url, rect: box, muted: false, volume: 0.5 }]);

    const inputName = ObsCoHostInputs.inputName('guest-1');
    expect(await client.call('GetInputAudioMonitorType', { inputName })).toEqual({ monitorType: 'OBS_MONITORING_TYPE_NONE' });
    expect((await client.call('GetInputVolume', { inputName })).inputVolumeMul).toBeCloseTo(0.5, 3);
    const nested = await client.call('GetSceneItemList', { sceneName: 'Scene' });
    expect(nested.sceneItems.map((item) => item['sourceName'])).toContain(CO_HOST_SCENE_NAME);

    let shot = await programScreenshot(client, 320, 180);
    await waitUntil(async () => {
      shot = await programScreenshot(client, 320, 180);
      return isRed(meanColour(shot, box));
    }, 90_000, "the guest's red picture in its box of OBS's program");
    expect(isRed(meanColour(shot, { x: 0, y: 0, w: 0.5, h: 0.5 }))).toBe(false);

    await inputs.set([{ userId: 'guest-1', url, rect: box, muted: true, volume: 0.5 }]);
    expect(await client.call('GetInputMute', { inputName })).toEqual({ inputMuted: true });

    await inputs.set([]); // hang-up
    await waitUntil(async () => !isRed(meanColour(await programScreenshot(client, 320, 180), box)), 30_000, 'the box to be gone');
    const list = await client.call('GetInputList');
    expect(list.inputs.map((input) => input['inputName'])).not.toContain(inputName);

    await inputs.close();
    const scenes = await client.call('GetSceneList');
    expect(scenes.scenes.map((scene) => scene['sceneName'])).not.toContain(CO_HOST_SCENE_NAME);
  }, OBS_TIMEOUT);
});
