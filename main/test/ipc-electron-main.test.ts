// electron-main.ts itself, bundled as the build does and run under Node against a recording stub
// of the `electron` module (no Electron binary here): the switches it sets, the window it makes,
// the app:// protocol with its CSP, permissions, navigation and window.open refusals, IPC sender
// checks on the real core, and that a renderer crash stops the core and the embedded server.
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import net from 'node:net';
import path from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeIpcMain } from './studio-ipc-pair';
import { testSettings } from './studio-test-core';

const repo = path.resolve(import.meta.dirname, '../..');
type Fn = (...args: unknown[]) => unknown;

interface Recorded {
  switches: Array<[string, string | undefined]>;
  sandboxEnabled: boolean;
  schemes: unknown[];
  protocolHandlers: Map<string, (request: Request) => Promise<Response>>;
  appHandlers: Map<string, Fn[]>;
  windows: FakeWindow[];
  headersHandler?: (details: { url: string; responseHeaders: Record<string, string[]> }, callback: (result: unknown) => void) => void;
  permissionHandler?: (contents: unknown, permission: string, callback: (allow: boolean) => void, details: Record<string, unknown>) => void;
  opened: string[];
  exitCode?: number;
  exited: Promise<number>;
}

class FakeContents {
  readonly id = 41;
  readonly mainFrame = { url: 'app://studio/index.html' };
  readonly handlers = new Map<string, Fn[]>();
  destroyed = false;
  on(event: string, fn: Fn) {
    this.handlers.set(event, [...(this.handlers.get(event) ?? []), fn]);
    return this;
  }
  emit(event: string, ...args: unknown[]) {
    for (const fn of this.handlers.get(event) ?? []) fn(...args);
  }
  send() {}
  isDestroyed() {
    return this.destroyed;
  }
}

class FakeWindow {
  readonly webContents = new FakeContents();
  loadedUrl: string | undefined;
  constructor(readonly options: { webPreferences: Record<string, unknown> }) {
    recorded.windows.push(this);
  }
  on() {
    return this;
  }
  once() {
    return this;
  }
  isDestroyed() {
    return false;
  }
  async loadURL(url: string) {
    this.loadedUrl = url;
    resolveLoaded(this);
  }
}

let resolveExit!: (code: number) => void;
let resolveLoaded!: (window: FakeWindow) => void;
const loaded = new Promise<FakeWindow>((resolve) => (resolveLoaded = resolve));
let resolveReady!: () => void;
const recorded: Recorded = {
  switches: [],
  sandboxEnabled: false,
  schemes: [],
  protocolHandlers: new Map(),
  appHandlers: new Map(),
  windows: [],
  opened: [],
  exited: new Promise<number>((resolve) => (resolveExit = resolve)),
};
const ipcMain = new FakeIpcMain();

function electronStub(userData: string) {
  const ready = new Promise<void>((resolve) => (resolveReady = resolve));
  return {
    app: {
      commandLine: { appendSwitch: (name: string, value?: string) => recorded.switches.push([name, value]) },
      enableSandbox: () => (recorded.sandboxEnabled = true),
      requestSingleInstanceLock: () => true,
      on: (event: string, fn: Fn) => recorded.appHandlers.set(event, [...(recorded.appHandlers.get(event) ?? []), fn]),
      whenReady: () => ready,
      getPath: () => userData,
      setPath: () => undefined,
      isPackaged: false,
      exit: (code: number) => {
        recorded.exitCode = code;
        resolveExit(code);
      },
      quit: () => undefined,
    },
    protocol: {
      registerSchemesAsPrivileged: (schemes: unknown[]) => recorded.schemes.push(...schemes),
      handle: (scheme: string, handler: (request: Request) => Promise<Response>) => recorded.protocolHandlers.set(scheme, handler),
    },
    net: {
      fetch: async (url: string) => {
        try {
          return new Response(readFileSync(new URL(url)));
        } catch {
          return new Response('missing', { status: 404 });
        }
      },
    },
    session: {
      defaultSession: {
        webRequest: { onHeadersReceived: (fn: Recorded['headersHandler']) => (recorded.headersHandler = fn) },
        setPermissionRequestHandler: (fn: Recorded['permissionHandler']) => (recorded.permissionHandler = fn),
        setPermissionCheckHandler: () => undefined,
        setDisplayMediaRequestHandler: () => undefined,
      },
    },
    shell: { openExternal: async (url: string) => recorded.opened.push(url) },
    desktopCapturer: { getSources: async () => [] },
    safeStorage: { isEncryptionAvailable: () => false, encryptString: (s: string) => Buffer.from(s), decryptString: (b: Buffer) => b.toString() },
    ipcMain,
    BrowserWindow: FakeWindow,
  };
}

function portAccepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

describe('electron-main under a recording electron stub', () => {
  const work = path.join(repo, '.tmp', `electron-main-${process.pid}`);
  const signalListeners = new Map<string, Fn[]>();
  const moduleWithResolve = Module as unknown as { _resolveFilename: Fn };
  const originalResolve = moduleWithResolve._resolveFilename;
  let window: FakeWindow;

  beforeAll(async () => {
    await mkdir(path.join(work, 'dist', 'main'), { recursive: true });
    await mkdir(path.join(work, 'dist', 'renderer', 'assets'), { recursive: true });
    await mkdir(path.join(work, 'data'), { recursive: true });
    await writeFile(path.join(work, 'dist', 'renderer', 'index.html'), '<!doctype html><title>LinkMic Studio</title>');
    await writeFile(path.join(work, 'data', 'settings.json'), JSON.stringify(testSettings()));
    await build({
      entryPoints: [path.join(repo, 'main', 'electron-main.ts')],
      outfile: path.join(work, 'dist', 'main', 'electron-main.cjs'),
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      packages: 'external',
      logLevel: 'silent',
    });
    for (const signal of ['SIGINT', 'SIGTERM']) signalListeners.set(signal, process.listeners(signal as NodeJS.Signals) as Fn[]);
    const stub = electronStub(path.join(work, 'data'));
    moduleWithResolve._resolveFilename = function (this: unknown, request: unknown, ...rest: unknown[]) {
      if (request === 'electron') return 'electron-stub';
      return originalResolve.call(this, request, ...rest);
    };
    const requireFromHere = createRequire(import.meta.url);
    (requireFromHere.cache as Record<string, unknown>)['electron-stub'] = { id: 'electron-stub', filename: 'electron-stub', loaded: true, exports: stub };
    requireFromHere(path.join(work, 'dist', 'main', 'electron-main.cjs'));
    resolveReady();
    // start() finishes with the window loading our page.
    window = await loaded;
  }, 60_000);

  afterAll(async () => {
    moduleWithResolve._resolveFilename = originalResolve;
    for (const [signal, before] of signalListeners) {
      for (const listener of process.listeners(signal as NodeJS.Signals)) if (!before.includes(listener as Fn)) process.off(signal, listener);
    }
    await rm(work, { recursive: true, force: true });
  });

  it('turns on Chrome-wide echo cancellation and the sandbox before anything else', () => {
    expect(recorded.switches).toContainEqual(['enable-features', 'ChromeWideEchoCancellation']);
    expect(recorded.sandboxEnabled).toBe(true);
    expect(recorded.schemes).toEqual([expect.objectContaining({ scheme: 'app', privileges: expect.objectContaining({ standard: true, secure: true }) })]);
  });

  it('opens one hardened window on app://studio with the preload', () => {
    expect(recorded.windows).toHaveLength(1);
    expect(window.loadedUrl).toBe('app://studio/index.html');
    expect(window.options.webPreferences).toMatchObject({ sandbox: true, contextIsolation: true, nodeIntegration: false, webSecurity: true, webviewTag: false });
    expect(String(window.options.webPreferences['preload'])).toMatch(/dist[\\/]preload[\\/]preload\.cjs$/);
  });

  it('serves the console on app://studio with a CSP header, and nothing outside it', async () => {
    const handler = recorded.protocolHandlers.get('app')!;
    const page = await handler(new Request('app://studio/index.html'));
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect((await handler(new Request('app://elsewhere/index.html'))).status).toBe(404);
    expect((await handler(new Request('app://studio/%2e%2e/%2e%2e/data/settings.json'))).status).toBe(404);
  });

  it('adds the CSP header to app pages and leaves other responses alone', () => {
    let result: { responseHeaders: Record<string, string[]> } | undefined;
    recorded.headersHandler!({ url: 'app://studio/index.html', responseHeaders: {} }, (r) => (result = r as typeof result));
    expect(result?.responseHeaders['Content-Security-Policy']?.[0]).toContain("object-src 'none'");
    recorded.headersHandler!({ url: 'http://127.0.0.1:8000/live/a.flv', responseHeaders: { a: ['b'] } }, (r) => (result = r as typeof result));
    expect(result?.responseHeaders).toEqual({ a: ['b'] });
  });

  it('grants the microphone to our page and nothing to others', () => {
    const ask = (permission: string, requestingUrl: string) =>
      new Promise<boolean>((resolve) => recorded.permissionHandler!({}, permission, resolve, { requestingUrl, isMainFrame: true, mediaTypes: ['audio'] }));
    return Promise.all([ask('media', 'app://studio/index.html'), ask('media', 'https://evil.example/'), ask('geolocation', 'app://studio/index.html')]).then((answers) =>
      expect(answers).toEqual([true, false, false]),
    );
  });

  it('blocks navigation and window.open, opening vetted https links in the system browser', () => {
    const contents = new FakeContents() as FakeContents & { setWindowOpenHandler?: (fn: (d: { url: string }) => unknown) => void };
    let openHandler: ((d: { url: string }) => unknown) | undefined;
    contents.setWindowOpenHandler = (fn) => (openHandler = fn);
    for (const fn of recorded.appHandlers.get('web-contents-created') ?? []) fn({}, contents);
    let prevented = 0;
    contents.emit('will-navigate', { preventDefault: () => (prevented += 1) }, 'https://example.com/');
    contents.emit('will-redirect', { preventDefault: () => (prevented += 1) }, 'https://example.com/');
    expect(prevented).toBe(2);
    expect(openHandler!({ url: 'https://github.com/' })).toEqual({ action: 'deny' });
    expect(openHandler!({ url: 'http://example.com/' })).toEqual({ action: 'deny' });
    expect(recorded.opened).toEqual(['https://github.com/']);
  });

  it('answers IPC from the window’s main frame only', async () => {
    const handler = ipcMain.handlers.get('studio:getState')!;
    const ours = (await handler({ sender: { id: window.webContents.id }, senderFrame: window.webContents.mainFrame })) as { ok: boolean };
    expect(ours.ok).toBe(true);
    const subframe = await handler({ sender: { id: window.webContents.id }, senderFrame: { url: 'app://studio/index.html' } });
    expect(subframe).toMatchObject({ ok: false, error: { code: 'NOT_ALLOWED' } });
  });

  it('stops the core and the embedded server when the renderer process is gone, then exits', async () => {
    const handler = ipcMain.handlers.get('studio:getState')!;
    const state = (await handler({ sender: { id: window.webContents.id }, senderFrame: window.webContents.mainFrame })) as { value: { server: { httpUrl: string; rtmpUrl: string } } };
    const httpPort = Number(new URL(state.value.server.httpUrl).port);
    expect(await portAccepts(httpPort)).toBe(true);
    window.webContents.emit('render-process-gone', {}, { reason: 'crashed', exitCode: 139 });
    expect(await recorded.exited).toBe(0);
    expect(await portAccepts(httpPort)).toBe(false);
    expect(ipcMain.handlers.size).toBe(0);
  });
});
