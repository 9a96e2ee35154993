// The console's view of the studio: the StudioApi (window.studio or the web bridge), the latest
// state snapshot and settings, kept fresh from the `state` / `settings` / `stats` events.
import { createContext, useContext, useEffect, useState } from 'react';
import { toErrorPayload, type ErrorPayload } from '../../common/errors';
import type { PushStats, StudioApi, StudioSettings, StudioState } from '../../common/studio-api';
import { getStudioApi, type StudioTransport } from '../api';

export interface StudioSession {
  readonly api: StudioApi;
  readonly transport: StudioTransport;
  readonly state: StudioState;
  readonly settings: StudioSettings;
  readonly stats: PushStats | null;
}

export type SessionStatus = { readonly kind: 'connecting' } | { readonly kind: 'ready'; readonly session: StudioSession } | { readonly kind: 'failed' | 'lost'; readonly error: ErrorPayload };

export function useStudioSession(): SessionStatus {
  const [status, setStatus] = useState<SessionStatus>({ kind: 'connecting' });
  useEffect(() => {
    let disposed = false;
    const unsubscribes: Array<() => void> = [];
    void (async () => {
      try {
        const { api, transport } = await getStudioApi();
        if (disposed) return;
        let current: StudioSession | null = null;
        const update = (patch: Partial<StudioSession>) => {
          if (!current || disposed) return;
          current = { ...current, ...patch };
          setStatus({ kind: 'ready', session: current });
        };
        unsubscribes.push(
          api.on('state', (state) => {
            if (current && state.revision < current.state.revision) return;
            update({ state, stats: state.stats ?? current?.stats ?? null });
          }),
          api.on('settings', (settings) => update({ settings })),
          api.on('stats', (stats) => update({ stats })),
        );
        const [state, settings] = await Promise.all([api.getState(), api.getSettings()]);
        if (disposed) return;
        current = { api, transport, state, settings, stats: state.stats };
        setStatus({ kind: 'ready', session: current });
        const closed = (api as Partial<{ closed: Promise<{ code: number; reason: string }> }>).closed;
        void closed?.then(({ code, reason }) => {
          if (!disposed) setStatus({ kind: 'lost', error: { name: 'LinkMicError', code: 'DISCONNECTED', message: `studio connection closed (${code} ${reason})` } });
        });
      } catch (error) {
        if (!disposed) setStatus({ kind: 'failed', error: toErrorPayload(error) });
      }
    })();
    return () => {
      disposed = true;
      for (const unsubscribe of unsubscribes) unsubscribe();
    };
  }, []);
  return status;
}

export const StudioContext = createContext<StudioSession | null>(null);

export function useStudio(): StudioSession {
  const session = useContext(StudioContext);
  if (!session) throw new Error('useStudio outside a StudioContext');
  return session;
}
