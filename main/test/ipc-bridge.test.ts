// The contract over Electron IPC, through the real preload factory and the real main-side host,
// on an in-memory ipcMain / ipcRenderer pair with the same sender checks as the app.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LinkMicError } from '../../common/errors';
import { STUDIO_CHANNELS, STUDIO_METHODS, STUDIO_WINDOW_KEYS, type StudioApi, type StudioWindowApi } from '../../common/studio-api';
import type { Disposable } from '../../common/typed-emitter';
// eslint-disable-next-line no-restricted-imports -- the round-trip test drives both ends of the boundary
import { createStudioWindowApi } from '../../preload/studio-window-api';
// eslint-disable-next-line no-restricted-imports -- the round-trip test drives both ends of the boundary
import { studioApiFromWindow } from '../../renderer/api/from-window';
import { createSenderCheck, hostStudioOverIpc } from '../ipc/ipc-host';
import { BAD_INPUTS } from './studio-bad-inputs';
import { FakeFrame, FakeIpcMain } from './studio-ipc-pair';
import { nextEvent, startTestCore, type TestCore } from './studio-test-core';

const APP_URL = 'file:///opt/linkmic/resources/app.asar/dist/renderer/index.html';
const WINDOW_ID = 7;

describe('StudioApi over Electron IPC', () => {
  let studio: TestCore;
  let ipcMain: FakeIpcMain;
  let mainFrame: FakeFrame;
  let windowApi: StudioWindowApi;
  let api: StudioApi;
  let hosting: Disposable;
  const refused: string[] = [];

  beforeAll(async () => {
    studio = await startTestCore();
    ipcMain = new FakeIpcMain();
    mainFrame = new FakeFrame(ipcMain, WINDOW_ID, APP_URL);
    refused.length = 0;
    hosting = hostStudioOverIpc({
      ipcMain,
      core: studio.core,
      target: mainFrame.target,
      isTrustedSender: createSenderCheck({ webContentsId: () => WINDOW_ID, mainFrame: () => mainFrame.frame, isTrustedUrl: (url) => url.startsWith('file:///opt/linkmic/') }),
      onRefused: (channel) => refused.push(channel),
    });
    windowApi = createStudioWindowApi(mainFrame);
    api = studioApiFromWindow(windowApi);
  });

  afterAll(async () => {
    hosting.dispose();
    await studio.close();
  });

  it('exposes exactly the contract on window.studio and handles exactly the method channels in main', () => {
    expect(Object.keys(windowApi).sort()).toEqual([...STUDIO_WINDOW_KEYS].sort());
    expect([...ipcMain.handlers.keys()].sort()).toEqual(STUDIO_METHODS.map((m) => `studio:${m}`).sort());
    for (const channel of [...ipcMain.handlers.keys(), ...ipcMain.listeners.keys()]) expect(STUDIO_CHANNELS).toContain(channel);
  });

  it('round-trips getState and updateSettings, and delivers the settings event', async () => {
    const state = await api.getState();
    expect(state.server.status).toBe('running');
    const event = nextEvent(api, 'settings', (s) => s.locale === 'zh-CN');
    const settings = await api.updateSettings({ locale: 'zh-CN' });
    expect(settings.locale).toBe('zh-CN');
    expect((await event).locale).toBe('zh-CN');
    expect((await api.getSettings()).locale).toBe('zh-CN');
  });

  for (const method of STUDIO_METHODS) {
    it(`rejects bad input to ${method} with a ValidationError naming the field`, async () => {
      const { input, field } = BAD_INPUTS[method];
      const call = windowApi[method] as (input: unknown) => Promise<unknown>;
      const envelope = await call(input);
      expect(envelope).toEqual({ ok: false, error: expect.objectContaining({ name: 'ValidationError', code: 'INVALID_ARGUMENT', field }) });
    });
  }

  it('turns error envelopes into LinkMicErrors with the code', async () => {
    const error = await api.joinRoom({ roomId: 'nobody_here' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LinkMicError);
    expect((error as LinkMicError).code).toBe('ROOM_NOT_FOUND');
  });

  it('refuses calls from a subframe of our window', async () => {
    refused.length = 0;
    const subframe = new FakeFrame(ipcMain, WINDOW_ID, APP_URL);
    const result = await createStudioWindowApi(subframe).getState();
    expect(result).toMatchObject({ ok: false, error: { code: 'NOT_ALLOWED' } });
    expect(refused).toEqual(['studio:getState']);
  });

  it('refuses calls from another webContents and from a page that is not ours', async () => {
    const otherWindow = new FakeFrame(ipcMain, WINDOW_ID + 1, APP_URL);
    expect(await createStudioWindowApi(otherWindow).getSettings()).toMatchObject({ ok: false, error: { code: 'NOT_ALLOWED' } });
    const foreignPage = new FakeFrame(ipcMain, WINDOW_ID, 'https://evil.example/');
    const foreign = hostStudioOverIpc({
      ipcMain: new FakeIpcMain(),
      core: studio.core,
      target: foreignPage.target,
      isTrustedSender: createSenderCheck({ webContentsId: () => WINDOW_ID, mainFrame: () => foreignPage.frame, isTrustedUrl: (url) => url.startsWith('file:///opt/linkmic/') }),
    });
    expect(await createStudioWindowApi(foreignPage).getSettings()).toMatchObject({ ok: false, error: { code: 'NOT_ALLOWED' } });
    foreign.dispose();
  });

  it('delivers events without the IPC event object and stops after unsubscribe', async () => {
    const seen: unknown[] = [];
    const unsubscribe = api.on('settings', (payload) => seen.push(payload));
    await api.setAudioProcessing({ noiseSuppression: false });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ audioProcessing: { echoCancellation: true, noiseSuppression: false, autoGainControl: true } });
    unsubscribe();
    await api.setAudioProcessing({ noiseSuppression: true });
    expect(seen).toHaveLength(1);
  });

  it('refuses to subscribe to an event that is not in the contract', () => {
    expect(() => windowApi.on('nonsense' as 'state', () => undefined)).toThrow(TypeError);
  });

  it('carries PCM frames as ArrayBuffers to the core, and reports a malformed one', async () => {
    const reported = nextEvent(api, 'error', (e) => e.context === 'audio');
    api.sendAudioFrame(new ArrayBuffer(960));
    api.sendAudioFrame(new ArrayBuffer(3));
    expect(await reported).toMatchObject({ code: 'INVALID_ARGUMENT', field: 'frame' });
  });

  it('removes every handler and subscription on dispose', () => {
    const otherMain = new FakeIpcMain();
    const frame = new FakeFrame(otherMain, WINDOW_ID, APP_URL);
    const listenersBefore = studio.core.events.listenerCount();
    const other = hostStudioOverIpc({ ipcMain: otherMain, core: studio.core, target: frame.target, isTrustedSender: () => true });
    expect(otherMain.handlers.size).toBe(STUDIO_METHODS.length);
    other.dispose();
    expect(otherMain.handlers.size).toBe(0);
    expect([...otherMain.listeners.values()].every((set) => set.size === 0)).toBe(true);
    expect(studio.core.events.listenerCount()).toBe(listenersBefore);
  });
});
