// Settings and secrets on disk: schema-checked, a corrupt file reported and replaced, never a crash.
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultSettings } from '../settings/default-settings';
import { FileSecretStore, type StringCipher } from '../settings/secret-store';
import { FileSettingsStore } from '../settings/settings-store';
import { StudioCore } from '../core/studio-core';
import { MemorySecretStore } from '../settings/secret-store';

describe('settings file', () => {
  let dir: string;
  let file: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'studio-settings-'));
    file = path.join(dir, 'settings.json');
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('starts from defaults when there is no file, without a problem', async () => {
    const result = await new FileSettingsStore(file).load();
    expect(result.problem).toBeNull();
    expect(result.settings.server).toEqual({ kind: 'embedded', rtmpPort: 0, httpPort: 0 });
    expect(result.settings.audioProcessing).toEqual({ echoCancellation: true, noiseSuppression: true, autoGainControl: true });
  });

  it('saves and loads the same settings', async () => {
    const store = new FileSettingsStore(file);
    const settings = { ...defaultSettings(), locale: 'zh-CN' as const, streamCode: 'room_42' };
    await store.save(settings);
    expect((await new FileSettingsStore(file).load()).settings).toEqual(settings);
    if (process.platform !== 'win32') expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it('reports a file that is not JSON, moves it aside and replaces it by defaults', async () => {
    await writeFile(file, '{"locale": "en", oops');
    const result = await new FileSettingsStore(file).load();
    expect(result.problem).toMatchObject({ code: 'INVALID_CONFIG' });
    expect(result.problem?.message).toContain('not JSON');
    expect(result.movedTo).not.toBeNull();
    expect(await readFile(result.movedTo!, 'utf8')).toBe('{"locale": "en", oops');
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual(result.settings);
  });

  it('reports a file that breaks the schema, naming the field', async () => {
    await writeFile(file, JSON.stringify({ ...defaultSettings(), room: { allowLinkRequests: true, guestLimit: 99, templateId: 1 } }));
    const result = await new FileSettingsStore(file).load();
    expect(result.problem).toMatchObject({ code: 'INVALID_CONFIG', field: 'room.guestLimit' });
    expect(result.settings.room.guestLimit).toBe(3);
    expect((await readdir(dir)).some((name) => name.startsWith('settings.json.corrupt-'))).toBe(true);
  });

  it('lets the core start on a corrupt file and report it as an error event and usable settings', async () => {
    await writeFile(file, 'null');
    const errors: unknown[] = [];
    const core = new StudioCore({
      settings: new FileSettingsStore(file),
      secrets: new MemorySecretStore(),
      engine: {
        describeFfmpeg: async () => ({ path: null, version: null, error: null }),
        listSources: async () => ({ video: [], audio: [] }),
        probeEncoders: async () => ({ encoders: [], selected: null }),
        startPush: async () => {
          throw new Error('not in this test');
        },
        close: async () => undefined,
      },
      connectServer: async () => {
        throw new Error('offline in this test');
      },
    });
    core.events.on('error', (error) => errors.push(error));
    await core.start();
    expect(errors).toContainEqual(expect.objectContaining({ code: 'INVALID_CONFIG', context: 'settings' }));
    const settings = await core.api().getSettings();
    expect(settings.locale).toBe('en');
    await core.close();
  });
});

describe('secret store', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'studio-secrets-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const fakeCipher: StringCipher = {
    available: true,
    encrypt: (plain) => Buffer.from(`sealed:${Buffer.from(plain).toString('base64')}`),
    decrypt: (sealed) => Buffer.from(sealed.toString().replace(/^sealed:/, ''), 'base64').toString(),
  };

  it('says plainly that the plain-Node store does not encrypt', async () => {
    const store = new FileSecretStore(path.join(dir, 'secrets.json'));
    expect(store.encrypted).toBe(false);
    await store.set('remote-token', 'v1.123.abc');
    expect(await new FileSecretStore(path.join(dir, 'secrets.json')).get('remote-token')).toBe('v1.123.abc');
  });

  it('keeps only ciphertext on disk when a cipher is available', async () => {
    const file = path.join(dir, 'secrets.json');
    const store = new FileSecretStore(file, fakeCipher);
    expect(store.encrypted).toBe(true);
    await store.set('remote-token', 'v1.123.abc');
    expect(await readFile(file, 'utf8')).not.toContain('v1.123.abc');
    expect(await new FileSecretStore(file, fakeCipher).get('remote-token')).toBe('v1.123.abc');
    await store.delete('remote-token');
    expect(await new FileSecretStore(file, fakeCipher).get('remote-token')).toBeNull();
  });

  it('does not claim encryption when the cipher is unavailable', () => {
    expect(new FileSecretStore(path.join(dir, 's.json'), { ...fakeCipher, available: false }).encrypted).toBe(false);
  });

  it('treats an unreadable secrets file as empty', async () => {
    const file = path.join(dir, 'secrets.json');
    await writeFile(file, '[[[');
    expect(await new FileSecretStore(file).get('x')).toBeNull();
  });
});
