// Types `window.studio` for the renderer: present in the Electron app (the preload exposes it),
// absent in a browser on the web host (renderer/api then speaks the WebSocket bridge).
import type { StudioWindowApi } from './studio-api/api';

declare global {
  interface Window {
    readonly studio?: StudioWindowApi;
  }
}

export {};
