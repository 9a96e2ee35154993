// Messages to the streamer: short sentences (errors, refusals, "the PK ended"), newest last,
// announced to screen readers. Errors stay until dismissed; information fades after a while.
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { LinkMicError, isErrorCode, type ErrorCode } from '../../common/errors';
import { useI18n } from './i18n-context';

export interface Notice {
  readonly id: number;
  readonly kind: 'error' | 'info';
  readonly text: string;
  /** The error code, when the notice is an error (for tests and styling). */
  readonly code?: ErrorCode;
}

interface NoticesApi {
  readonly notices: readonly Notice[];
  push(kind: Notice['kind'], text: string, code?: ErrorCode): void;
  dismiss(id: number): void;
}

const NoticesContext = createContext<NoticesApi>({ notices: [], push: () => undefined, dismiss: () => undefined });

const MAX_NOTICES = 5;
const INFO_MS = 8000;

export function NoticesProvider({ children }: { children: ReactNode }) {
  const [notices, setNotices] = useState<Notice[]>([]);
  const nextId = useRef(1);
  const dismiss = useCallback((id: number) => setNotices((list) => list.filter((n) => n.id !== id)), []);
  const push = useCallback(
    (kind: Notice['kind'], text: string, code?: ErrorCode) => {
      const id = nextId.current++;
      setNotices((list) => [...list.filter((n) => n.text !== text), { id, kind, text, ...(code ? { code } : {}) }].slice(-MAX_NOTICES));
      if (kind === 'info') setTimeout(() => dismiss(id), INFO_MS);
    },
    [dismiss],
  );
  const value = useMemo(() => ({ notices, push, dismiss }), [notices, push, dismiss]);
  return <NoticesContext.Provider value={value}>{children}</NoticesContext.Provider>;
}

export function useNotices(): NoticesApi {
  return useContext(NoticesContext);
}

/** Runs a console action; a failure becomes a notice in the streamer's language. Resolves true on success. */
export function useAction(): (action: () => Promise<unknown>) => Promise<boolean> {
  const { push } = useNotices();
  const i18n = useI18n();
  const i18nRef = useRef(i18n);
  useEffect(() => {
    i18nRef.current = i18n;
  }, [i18n]);
  return useCallback(
    async (action) => {
      try {
        await action();
        return true;
      } catch (error) {
        const code: ErrorCode = error instanceof LinkMicError || isErrorCode((error as { code?: unknown } | null)?.code) ? (error as LinkMicError).code : 'INTERNAL';
        const message = error instanceof Error ? error.message : String(error);
        push('error', i18nRef.current.error({ code, message }), code);
        if (code === 'INTERNAL') console.error('console action failed', error);
        return false;
      }
    },
    [push],
  );
}

export function NoticeList() {
  const { notices, dismiss } = useNotices();
  const { t } = useI18n();
  return (
    <section className="notices" aria-label={t('console.notices')} aria-live="polite" data-testid="notices">
      {notices.map((notice) => (
        <div key={notice.id} className={`notice notice-${notice.kind}`} role={notice.kind === 'error' ? 'alert' : 'status'} data-testid="notice" data-kind={notice.kind} data-code={notice.code ?? ''}>
          <span className="notice-text">{notice.text}</span>
          <button type="button" className="notice-close" onClick={() => dismiss(notice.id)} aria-label={t('console.dismiss')}>
            ×
          </button>
        </div>
      ))}
    </section>
  );
}
