// The desktop shell through Playwright's Electron driver: the window is hardened (sandbox,
// context isolation, no Node, CSP, no window.open, no navigation) and `window.studio` exposes
// exactly the contract. Skipped where no Electron binary is installed (CI machines install the
// electron package with ELECTRON_SKIP_BINARY_DOWNLOAD=1); there the same core is covered through
// the web host.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { _electron as electron, expect, test, type ElectronApplication } from '@playwright/test';
import { STUDIO_WINDOW_KEYS } from '../../common/studio-api/channels';
import { REPO_ROOT as repo } from '../helpers/child';
import { electronSkipReason, findElectron } from '../helpers/electron-studio';

const binary = findElectron().binary;
const skipReason = electronSkipReason();

test.describe('Electron app', () => {
  test.skip(skipReason !== null, skipReason ?? '');

  let app: ElectronApplication;
  let dataDir: string;

  test.beforeEach(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'studio-electron-'));
    app = await electron.launch({
      executablePath: binary!,
      args: [repo],
      env: { ...process.env, LINKMIC_STUDIO_DATA: dataDir, ELECTRON_ENABLE_LOGGING: '1', LINKMIC_STUDIO_INITIAL_SETTINGS: '' },
    });
  });

  test.afterEach(async () => {
    await app?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  test('opens one hardened window on app://studio', async () => {
    const page = await app.firstWindow();
    await page.waitForLoadState('domcontentloaded');
    expect(page.url()).toMatch(/^app:\/\/studio\//);
    const prefs = await app.evaluate(({ BrowserWindow }) => {
      const windows = BrowserWindow.getAllWindows();
      // Electron's own record of the preferences the window was created with.
      const contents = windows[0]!.webContents as unknown as { getLastWebPreferences?: () => Record<string, unknown> };
      const p = contents.getLastWebPreferences?.() ?? {};
      return { count: windows.length, sandbox: p['sandbox'], contextIsolation: p['contextIsolation'], nodeIntegration: p['nodeIntegration'], webSecurity: p['webSecurity'], webviewTag: p['webviewTag'] };
    });
    expect(prefs).toEqual({ count: 1, sandbox: true, contextIsolation: true, nodeIntegration: false, webSecurity: true, webviewTag: false });
    expect(await page.evaluate(() => typeof (globalThis as { require?: unknown }).require)).toBe('undefined');
    expect(await page.evaluate(() => typeof (globalThis as { process?: unknown }).process)).toBe('undefined');
  });

  test('sends a CSP and refuses window.open and navigation away', async () => {
    const page = await app.firstWindow();
    await page.waitForLoadState('domcontentloaded');
    const csp = await page.evaluate(async () => (await fetch(location.href)).headers.get('content-security-policy'));
    expect(csp).toContain("default-src 'self'");
    expect(await page.evaluate(() => window.open('https://example.com/') === null)).toBe(true);
    await page.evaluate(() => {
      location.href = 'https://example.com/';
    });
    await page.waitForTimeout(500);
    expect(page.url()).toMatch(/^app:\/\/studio\//);
    expect(await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().length)).toBe(1);
  });

  test('exposes exactly the contract on window.studio', async () => {
    const page = await app.firstWindow();
    await page.waitForLoadState('domcontentloaded');
    const keys = await page.evaluate(() => Object.keys((window as unknown as { studio: object }).studio).sort());
    expect(keys).toEqual([...STUDIO_WINDOW_KEYS].sort());
    const state = await page.evaluate(async () => {
      const result = await (window as unknown as { studio: { getState(): Promise<{ ok: boolean; value?: { server: { kind: string } } }> } }).studio.getState();
      return result.ok ? result.value!.server.kind : 'error';
    });
    expect(state).toBe('embedded');
  });
});
