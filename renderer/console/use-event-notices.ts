// Turns the studio's events into sentences for the streamer: refusals, timeouts, a kicked link,
// the PK ending, the server going away and coming back, the encoder falling back to software.
import { useEffect, useRef } from 'react';
import { useI18n } from './i18n-context';
import { useNotices } from './notices';
import { useStudio } from './studio-session';
import { encoderReason, serverLost } from './studio-views';

export function useEventNotices(): void {
  const { api, state } = useStudio();
  const i18n = useI18n();
  const { push } = useNotices();
  const stateRef = useRef(state);
  const i18nRef = useRef(i18n);
  stateRef.current = state;
  i18nRef.current = i18n;

  useEffect(() => {
    const t = (...args: Parameters<typeof i18n.t>) => i18nRef.current.t(...args);
    const outgoingRequests = () => new Set(stateRef.current.linkRequests.filter((r) => r.direction === 'outgoing').map((r) => r.requestId));
    let known = outgoingRequests();
    const unsubscribes = [
      api.on('state', (next) => {
        for (const r of next.linkRequests) if (r.direction === 'outgoing') known.add(r.requestId);
      }),
      api.on('linkRequest', (request) => {
        if (request.direction === 'outgoing') known.add(request.requestId);
      }),
      api.on('linkRequestEnded', (event) => {
        if (!known.has(event.requestId)) return;
        known.delete(event.requestId);
        if (event.outcome === 'rejected') push('error', t('console.notice.requestRejected'));
        else if (event.outcome === 'timeout') push('error', t('console.notice.requestTimeout'), 'TIMEOUT');
        else if (event.outcome !== 'cancelled') push('info', t('console.notice.requestEnded'));
      }),
      api.on('linkStarted', (link) => {
        if (link.role === 'host') push('info', t('console.notice.linkStarted', { user: link.peer.userId }));
      }),
      api.on('linkEnded', (event) => {
        const wasGuest = event.roomId !== stateRef.current.room?.roomId;
        if (wasGuest && event.reason === 'kicked') push('info', t('console.notice.linkKicked'));
        else if (event.reason === 'no-media') push('error', t(wasGuest ? 'console.notice.linkNoMediaGuest' : 'console.notice.linkNoMediaHost'));
        else push('info', t('console.notice.linkEnded', { user: event.by ?? event.roomId }));
      }),
      api.on('pkInviteEnded', (event) => {
        if (event.outcome === 'rejected') push('error', t('console.notice.pkDeclined'));
        else if (event.outcome === 'timeout') push('error', t('console.notice.pkTimeout'), 'TIMEOUT');
        else if (event.outcome === 'cancelled') push('info', t('console.notice.pkCancelled'));
      }),
      api.on('pkEnded', (event) => {
        if (event.reason === 'ended') push('info', t('console.notice.pkEnded'));
        else push('error', t('console.notice.pkLost'));
      }),
      api.on('push', (event) => {
        if (event.error) push('error', i18nRef.current.error(event.error), event.error.code);
      }),
      api.on('error', (event) => {
        // Signal loss is shown by the server banner; the rest are one-off problems worth a sentence.
        if (event.context === 'signal' || event.context === 'push') return;
        push('error', i18nRef.current.error(event), event.code);
      }),
    ];
    return () => {
      known = new Set();
      for (const unsubscribe of unsubscribes) unsubscribe();
    };
  }, [api, push]);

  // The server coming back after a loss.
  const signal = state.server.signal;
  const wasLost = useRef(false);
  useEffect(() => {
    if (signal === 'connected' && wasLost.current) {
      wasLost.current = false;
      push('info', i18nRef.current.t('console.notice.serverBack'));
    } else if (serverLost(state.server)) wasLost.current = true;
  }, [signal, state.server, push]);

  // The encoder falling back to software, once per push.
  const fallbackEncoder = encoderReason(state) === 'fallback' ? state.live.encoder : null;
  useEffect(() => {
    if (fallbackEncoder) push('error', i18nRef.current.t('console.notice.encoderFallback', { name: fallbackEncoder }), 'ENCODE_ERROR');
  }, [fallbackEncoder, push]);
}
