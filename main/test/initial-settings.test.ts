// First-run settings from LINKMIC_STUDIO_INITIAL_SETTINGS: validated, applied only when there is
// no settings file yet, the token kept in the secret store (encrypted when a cipher is given).
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { remoteTokenKey } from '../core/server-session';
import { applyInitialSettings, initialSettingsFromEnv, INITIAL_SETTINGS_ENV } from '../settings/initial-settings';
import { FileSecretStore, type StringCipher } from '../settings/secret-store';
import { FileSettingsStore } from '../settings/settings-store';

const remote = { kind: 'remote', httpUrl: 'http://127.0.0.1:8123', userId: 'hostA-x1', token: 'v1.dev.token' } as const;
const reversing: StringCipher = {
  available: true,
  encrypt: (plain) => Buffer.from([...plain].reverse().join('')),
  decrypt: (sealed) => [...sealed.toString()].reverse().join(''),
};

describe('first-run settings from the environment', () => {
  it('is absent when the variable is unset or blank', () => {
    expect(initialSettingsFromEnv({})).toBeNull();
    expect(initialSettingsFromEnv({ [INITIAL_SETTINGS_ENV]: '  ' })).toBeNull();
  });

  it('parses a settings patch and a remote profile', () => {
    const initial = initialSettingsFromEnv({ [INITIAL_SETTINGS_ENV]: JSON.stringify({ settings: { locale: 'en', encoder: { preference: 'software' } }, server: remote }) });
    expect(initial).toEqual({ settings: { locale: 'en', encoder: { preference: 'software' } }, server: remote });
  });

  it('refuses text that is not JSON, unknown keys and a bad server URL, naming the field', () => {
    expect(() => initialSettingsFromEnv({ [INITIAL_SETTINGS_ENV]: '{nope' })).toThrow(/LINKMIC_STUDIO_INITIAL_SETTINGS: .*not JSON/);
    expect(() => initialSettingsFromEnv({ [INITIAL_SETTINGS_ENV]: JSON.stringify({ settings: { server: { kind: 'embedded' } } }) })).toThrow(/settings\.server/);
    expect(() => initialSettingsFromEnv({ [INITIAL_SETTINGS_ENV]: JSON.stringify({ server: { ...remote, httpUrl: 'ftp://x' } }) })).toThrow(/server\.httpUrl/);
    expect(() => initialSettingsFromEnv({ [INITIAL_SETTINGS_ENV]: JSON.stringify({ extra: 1 }) })).toThrow(/extra/);
  });
});

describe('applying first-run settings', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'studio-initial-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes the settings with the remote server and stores the token through the cipher when there is no settings file', async () => {
    const settings = new FileSettingsStore(path.join(dir, 'settings.json'));
    const secretsFile = path.join(dir, 'secrets.json');
    const initial = { settings: { userId: 'hostA-x1', streamCode: 'live_hostA-x1', sources: { video: { kind: 'test-pattern' }, audio: { kind: 'test-tone' } } }, server: remote } as const;
    expect(await applyInitialSettings({ initial, settings, secrets: new FileSecretStore(secretsFile, reversing) })).toBe('applied');
    const loaded = await settings.load();
    expect(loaded.problem).toBeNull();
    expect(loaded.settings).toMatchObject({ userId: 'hostA-x1', streamCode: 'live_hostA-x1', sources: { audio: { kind: 'test-tone' } }, server: { kind: 'remote', httpUrl: remote.httpUrl, userId: remote.userId } });
    expect(await new FileSecretStore(secretsFile, reversing).get(remoteTokenKey(remote.httpUrl, remote.userId))).toBe('v1.dev.token');
    expect(await readFile(secretsFile, 'utf8')).not.toContain('v1.dev.token');
  });

  it('keeps an existing settings file untouched and stores no token', async () => {
    const file = path.join(dir, 'settings.json');
    await writeFile(file, '{"mine":true}');
    const secretsFile = path.join(dir, 'secrets.json');
    expect(await applyInitialSettings({ initial: { server: remote }, settings: new FileSettingsStore(file), secrets: new FileSecretStore(secretsFile) })).toBe('kept');
    expect(await readFile(file, 'utf8')).toBe('{"mine":true}');
    expect(await new FileSecretStore(secretsFile).get(remoteTokenKey(remote.httpUrl, remote.userId))).toBeNull();
  });

  it('refuses a patch whose userId breaks the settings schema without writing anything', async () => {
    const file = path.join(dir, 'settings.json');
    await expect(applyInitialSettings({ initial: { settings: { userId: '' } } as never, settings: new FileSettingsStore(file), secrets: new FileSecretStore(path.join(dir, 's.json')) })).rejects.toThrow();
    await expect(readFile(file, 'utf8')).rejects.toThrow(/ENOENT/);
  });
});
