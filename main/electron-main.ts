// The Electron main process: thin glue around StudioCore. A hardened window (sandbox, context
// isolation, no Node, CSP as meta and header, no navigation, no window.open), IPC only from our
// window's main frame and origin, media permissions for our page only, one instance, secrets with
// safeStorage, and a shutdown that always stops ffmpeg and the embedded server.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { app, BrowserWindow, desktopCapturer, ipcMain, net, protocol, safeStorage, session, shell } from 'electron';
import { findRendererDir, findResourcesDir, findViewerDir } from './app-paths';
import { createStudioCore } from './core/create-studio-core';
import type { StudioCore } from './core/studio-core';
import { allowPermission } from './electron/media-permissions';
import { hardenedWebPreferences } from './electron/window-options';
import { createSenderCheck, hostStudioOverIpc, type IpcMainLike } from './ipc/ipc-host';
import { APP_HOST, APP_ORIGIN, APP_SCHEME, CONTENT_SECURITY_POLICY, contentTypeOf, fileInside, isAppUrl, isVettedExternalUrl } from './security/app-content';
import { applyInitialSettings, initialSettingsFromEnv, type InitialSettings } from './settings/initial-settings';
import { safeStorageCipher } from './settings/safe-storage-cipher';
import { FileSecretStore } from './settings/secret-store';
import { FileSettingsStore } from './settings/settings-store';

// Chromium's AEC for audio played by the page itself (co-host audio): aec-notes.md.
app.commandLine.appendSwitch('enable-features', 'ChromeWideEchoCancellation');
// Tests (and portable setups) choose the data folder. Before the single-instance lock, which
// Chromium keeps in userData: each data folder is its own instance (e2e runs several at once).
if (process.env['LINKMIC_STUDIO_DATA']) app.setPath('userData', process.env['LINKMIC_STUDIO_DATA']);
app.enableSandbox();
protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true, stream: true } }]);

const log = (message: string): void => void process.stderr.write(`studio: ${message}\n`);

// First-run settings and server profile (LINKMIC_STUDIO_INITIAL_SETTINGS), used when userData has no settings.json.
let initialSettings: InitialSettings | null = null;
let initialSettingsProblem: string | null = null;
try {
  initialSettings = initialSettingsFromEnv(process.env);
} catch (error) {
  initialSettingsProblem = error instanceof Error ? error.message : String(error);
}

let core: StudioCore | undefined;
let mainWindow: BrowserWindow | undefined;
let shutdown: Promise<void> | undefined;

function stopEverything(reason: string): Promise<void> {
  shutdown ??= (async () => {
    log(`shutting down (${reason})`);
    const deadline = setTimeout(() => app.exit(1), 10_000);
    try {
      await core?.close();
    } finally {
      clearTimeout(deadline);
    }
  })();
  return shutdown;
}

function quit(reason: string): void {
  void stopEverything(reason).finally(() => app.exit(0));
}

if (initialSettingsProblem !== null) {
  log(initialSettingsProblem);
  app.exit(2);
} else if (!app.requestSingleInstanceLock()) {
  app.exit(0);
} else {
  app.on('second-instance', () => {
    if (!mainWindow) return;
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  });
  app.on('before-quit', (event) => {
    if (shutdown) return;
    event.preventDefault();
    quit('quit');
  });
  app.on('window-all-closed', () => quit('window closed'));
  process.on('SIGINT', () => quit('SIGINT'));
  process.on('SIGTERM', () => quit('SIGTERM'));
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.on('will-navigate', (event) => event.preventDefault());
    contents.on('will-redirect', (event) => event.preventDefault());
    contents.setWindowOpenHandler(({ url }) => {
      if (isVettedExternalUrl(url)) void shell.openExternal(url);
      return { action: 'deny' };
    });
  });
  app
    .whenReady()
    .then(start)
    .catch((error: unknown) => {
      log(`failed to start: ${String(error)}`);
      void stopEverything('failed to start').finally(() => app.exit(1));
    });
}

async function start(): Promise<void> {
  const rendererDir = findRendererDir(__dirname);
  if (!rendererDir) throw new Error('the console is not built (dist/renderer missing)');
  const ses = session.defaultSession;

  // app://studio/… serves dist/renderer with the CSP as a response header.
  protocol.handle(APP_SCHEME, async (request) => {
    const url = new URL(request.url);
    const file = url.host === APP_HOST ? fileInside(rendererDir, url.pathname) : null;
    if (!file) return new Response('not found', { status: 404 });
    const response = await net.fetch(pathToFileURL(file).toString());
    return new Response(response.body, {
      status: response.status,
      headers: { 'content-type': contentTypeOf(file), 'content-security-policy': CONTENT_SECURITY_POLICY, 'x-content-type-options': 'nosniff' },
    });
  });
  // Belt and braces: the CSP header on every app and file page, whatever served it.
  ses.webRequest.onHeadersReceived((details, callback) => {
    const ours = isAppUrl(details.url) || details.url.startsWith('file:');
    callback({ responseHeaders: ours ? { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } : details.responseHeaders });
  });

  ses.setPermissionRequestHandler((_contents, permission, callback, details) => {
    callback(
      allowPermission(
        { permission, requestingUrl: details.requestingUrl, isMainFrame: details.isMainFrame, mediaTypes: 'mediaTypes' in details ? (details.mediaTypes ?? []) : [] },
        isAppUrl,
      ),
    );
  });
  ses.setPermissionCheckHandler((_contents, permission, requestingOrigin) => allowPermission({ permission, requestingUrl: requestingOrigin, isMainFrame: true, mediaTypes: ['audio', 'video'] }, (url) => url.startsWith(APP_ORIGIN)));
  ses.setDisplayMediaRequestHandler((request, callback) => {
    if (!request.frame || !isAppUrl(request.frame.url)) {
      callback({});
      return;
    }
    void desktopCapturer.getSources({ types: ['screen'] }).then(
      (sources) => callback(sources[0] ? { video: sources[0] } : {}),
      () => callback({}),
    );
  });

  const dataDir = app.getPath('userData');
  const resourcesDir = app.isPackaged ? process.resourcesPath : findResourcesDir(__dirname);
  const settings = new FileSettingsStore(path.join(dataDir, 'settings.json'));
  const secrets = new FileSecretStore(path.join(dataDir, 'secrets.json'), safeStorageCipher(safeStorage));
  if (initialSettings && (await applyInitialSettings({ initial: initialSettings, settings, secrets })) === 'applied') log(`first run: settings from LINKMIC_STUDIO_INITIAL_SETTINGS in ${dataDir}`);
  core = createStudioCore({
    dataDir,
    settings,
    secrets,
    viewerDistDir: findViewerDir(__dirname),
    ...(resourcesDir === undefined ? {} : { resourcesDir }),
    logger: { info: () => undefined, warn: (m) => log(m), error: (m) => log(m) },
  });
  await core.start();

  const window = new BrowserWindow({
    width: 1280,
    height: 800,
    show: false,
    title: 'LinkMic Studio',
    backgroundColor: '#111318',
    webPreferences: hardenedWebPreferences(path.join(__dirname, '../preload/preload.cjs')),
  });
  mainWindow = window;
  const hosting = hostStudioOverIpc({
    ipcMain: ipcMain as unknown as IpcMainLike,
    core,
    target: { send: (channel, payload) => window.webContents.send(channel, payload), isDestroyed: () => window.isDestroyed() || window.webContents.isDestroyed() },
    isTrustedSender: createSenderCheck({
      webContentsId: () => (window.isDestroyed() ? null : window.webContents.id),
      mainFrame: () => (window.isDestroyed() ? null : window.webContents.mainFrame),
      isTrustedUrl: isAppUrl,
    }),
    onRefused: (channel, event) => log(`refused IPC ${channel} from ${event.senderFrame?.url ?? 'a gone frame'}`),
  });
  window.webContents.on('render-process-gone', (_event, details) => {
    log(`renderer gone (${details.reason}, exit ${details.exitCode})`);
    hosting.dispose();
    quit('renderer gone');
  });
  window.on('closed', () => {
    hosting.dispose();
    mainWindow = undefined;
  });
  window.once('ready-to-show', () => window.show());
  await window.loadURL(`${APP_ORIGIN}/index.html`);
}
