// The preload: exposes `window.studio` (the contract's named methods and events, nothing else)
// in the sandboxed, context-isolated renderer.
import { contextBridge, ipcRenderer } from 'electron';
import { createStudioWindowApi } from './studio-window-api';

contextBridge.exposeInMainWorld('studio', createStudioWindowApi(ipcRenderer));
