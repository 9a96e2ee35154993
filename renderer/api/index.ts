// The one way the console gets the StudioApi: `window.studio` in the Electron app, the web host's
// WebSocket bridge in a browser (token from the page URL's `#token=…`, or `?token=…`).
import { LinkMicError } from '../../common/errors';
import { WEB_TOKEN_PARAM, type StudioApi } from '../../common/studio-api';
import { studioApiFromWindow } from './from-window';
import { connectWebBridge } from './web-bridge-client';

export { studioApiFromWindow } from './from-window';
export { bridgeUrl, connectWebBridge, type WebBridgeClient, type WebBridgeOptions, type WebSocketFactory, type WebSocketLike } from './web-bridge-client';

export type StudioTransport = 'ipc' | 'websocket';

/** Reads the per-run token from a page URL (fragment first, then query). */
export function tokenFromUrl(href: string): string | null {
  const url = new URL(href);
  const fromHash = new URLSearchParams(url.hash.replace(/^#/, '')).get(WEB_TOKEN_PARAM);
  return fromHash ?? url.searchParams.get(WEB_TOKEN_PARAM);
}

let current: Promise<{ api: StudioApi; transport: StudioTransport }> | undefined;

/** The StudioApi for this page (memoised). */
export function getStudioApi(): Promise<{ api: StudioApi; transport: StudioTransport }> {
  current ??= (async () => {
    if (window.studio) return { api: studioApiFromWindow(window.studio), transport: 'ipc' as const };
    const token = tokenFromUrl(window.location.href);
    if (!token) throw new LinkMicError('TOKEN_MISSING', 'open the studio with the URL the studio printed (it carries the access token)');
    const api = await connectWebBridge({ baseUrl: window.location.origin, token });
    return { api, transport: 'websocket' as const };
  })();
  current.catch(() => (current = undefined));
  return current;
}
