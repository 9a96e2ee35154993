// The Electron glue's decisions, under plain Node: window preferences, permissions, which URLs are
// ours or may open in the system browser, file lookup, safeStorage honesty, Electron discovery.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findElectronBinary } from '../electron-binary';
import { allowPermission } from '../electron/media-permissions';
import { hardenedWebPreferences } from '../electron/window-options';
import { APP_ORIGIN, fileInside, isAppUrl, isVettedExternalUrl } from '../security/app-content';
import { safeStorageCipher } from '../settings/safe-storage-cipher';

const OUR_PAGE = `${APP_ORIGIN}/index.html`;

describe('Electron glue', () => {
  it('creates the window sandboxed, context-isolated, without Node and without webviews', () => {
    expect(hardenedWebPreferences('/app/preload.cjs')).toMatchObject({
      preload: '/app/preload.cjs',
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
  });

  it('grants microphone and camera to our page only', () => {
    expect(allowPermission({ permission: 'media', requestingUrl: OUR_PAGE, isMainFrame: true, mediaTypes: ['audio'] }, isAppUrl)).toBe(true);
    expect(allowPermission({ permission: 'media', requestingUrl: OUR_PAGE, isMainFrame: true, mediaTypes: ['audio', 'video'] }, isAppUrl)).toBe(true);
    expect(allowPermission({ permission: 'display-capture', requestingUrl: OUR_PAGE, isMainFrame: true }, isAppUrl)).toBe(true);
    expect(allowPermission({ permission: 'media', requestingUrl: 'https://evil.example/', isMainFrame: true, mediaTypes: ['audio'] }, isAppUrl)).toBe(false);
    expect(allowPermission({ permission: 'media', requestingUrl: OUR_PAGE, isMainFrame: false, mediaTypes: ['audio'] }, isAppUrl)).toBe(false);
  });

  it('denies every other permission, even to our page', () => {
    for (const permission of ['geolocation', 'notifications', 'midi', 'hid', 'serial', 'clipboard-read', 'openExternal', 'pointerLock']) {
      expect(allowPermission({ permission, requestingUrl: OUR_PAGE, isMainFrame: true }, isAppUrl)).toBe(false);
    }
  });

  it('knows our pages by the app://studio origin', () => {
    expect(isAppUrl('app://studio/index.html')).toBe(true);
    expect(isAppUrl('app://other/index.html')).toBe(false);
    expect(isAppUrl('file:///etc/passwd')).toBe(false);
    expect(isAppUrl('not a url')).toBe(false);
  });

  it('opens only https links without credentials in the system browser', () => {
    expect(isVettedExternalUrl('https://github.com/linkmic/studio')).toBe(true);
    for (const url of ['http://example.com/', 'file:///etc/passwd', 'javascript:alert(1)', 'https://user:pw@example.com/', 'smb://host/share', 'https://localhost/']) {
      expect(isVettedExternalUrl(url)).toBe(false);
    }
  });

  it('serves only files inside the renderer folder', () => {
    expect(fileInside('/app/renderer', '/')).toBe(path.resolve('/app/renderer/index.html'));
    expect(fileInside('/app/renderer', '/assets/a.js')).toBe(path.resolve('/app/renderer/assets/a.js'));
    expect(fileInside('/app/renderer', '/../secrets.json')).toBeNull();
    expect(fileInside('/app/renderer', '/%2e%2e/secrets.json')).toBeNull();
    expect(fileInside('/app/renderer', '/a%00b')).toBeNull();
    expect(fileInside('/app/renderer', '/%E0%A4%A')).toBeNull();
  });

  it('does not call Linux basic_text storage encryption', () => {
    const fake = { isEncryptionAvailable: () => true, encryptString: (s: string) => Buffer.from(s), decryptString: (b: Buffer) => b.toString() };
    expect(safeStorageCipher({ ...fake, getSelectedStorageBackend: () => 'basic_text' }, 'linux').available).toBe(false);
    expect(safeStorageCipher({ ...fake, getSelectedStorageBackend: () => 'gnome_libsecret' }, 'linux').available).toBe(true);
    expect(safeStorageCipher({ ...fake, isEncryptionAvailable: () => false }, 'darwin').available).toBe(false);
  });

  it('finds no Electron binary at a path that does not exist', () => {
    expect(findElectronBinary(import.meta.url, { LINKMIC_ELECTRON_PATH: '/nonexistent/electron' })).toBeNull();
  });
});
