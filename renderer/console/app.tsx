// The console: a top bar (live / offline, server, language), the screens as tabs on the left, the
// stage (co-hosts' players) on the right and a status bar of live statistics — laid out like the
// broadcasters streamers already know (OBS, TikTok LIVE Studio).
import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { LOCALES, type Locale, type MessageKey } from '../../common/i18n';
import { AudiencePanel } from './audience-panel';
import { GoLivePanel } from './go-live-panel';
import { I18nContext, makeI18n, useI18n } from './i18n-context';
import { LayoutEditor } from './layout-editor';
import { LinkMicPanel } from './link-mic-panel';
import { useMicBridge } from './mic-bridge';
import { NoticeList, NoticesProvider, useAction } from './notices';
import { PkPanel } from './pk-panel';
import { ProgramMonitorProvider } from './program-monitor';
import { Stage } from './stage';
import { StatusBar } from './status-bar';
import { StudioContext, useStudio, useStudioSession } from './studio-session';
import { useEventNotices } from './use-event-notices';
import { useOutputNotices } from './use-output-notices';
import { serverLost } from './studio-views';
import { useLayoutSync } from './use-layout-sync';

const TABS = [
  { id: 'golive', label: 'console.nav.goLive' },
  { id: 'linkmic', label: 'console.nav.linkMic' },
  { id: 'pk', label: 'console.nav.pk' },
  { id: 'layout', label: 'console.nav.layout' },
  { id: 'audience', label: 'console.nav.audience' },
] as const satisfies ReadonlyArray<{ id: string; label: MessageKey }>;
type TabId = (typeof TABS)[number]['id'];

function initialLocale(): Locale {
  return navigator.language?.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}

export function App() {
  const status = useStudioSession();
  const locale = status.kind === 'ready' ? status.session.settings.locale : initialLocale();
  const i18n = useMemo(() => makeI18n(locale), [locale]);
  useEffect(() => {
    document.documentElement.lang = locale;
  }, [locale]);
  return (
    <I18nContext.Provider value={i18n}>
      <NoticesProvider>
        {status.kind === 'ready' ? (
          <StudioContext.Provider value={status.session}>
            <ProgramMonitorProvider>
              <Console />
            </ProgramMonitorProvider>
          </StudioContext.Provider>
        ) : (
          <div className="boot" role={status.kind === 'connecting' ? 'status' : 'alert'} data-testid="boot" data-status={status.kind}>
            <h1>{i18n.t('app.title')}</h1>
            <p>{status.kind === 'connecting' ? i18n.t('console.studio.connecting') : status.kind === 'lost' ? i18n.t('console.studio.lost') : i18n.error(status.error)}</p>
          </div>
        )}
      </NoticesProvider>
    </I18nContext.Provider>
  );
}

function Console() {
  const { state } = useStudio();
  const { t } = useI18n();
  const [tab, setTab] = useState<TabId>('golive');
  const tabRefs = useRef<Record<string, HTMLButtonElement | null>>({});
  useEventNotices();
  useOutputNotices();
  useLayoutSync();
  const mic = useMicBridge();
  const pendingIncoming = state.linkRequests.filter((r) => r.direction === 'incoming').length;
  const pendingPk = state.pkInvites.filter((i) => i.direction === 'incoming').length;

  const onTabKey = (event: KeyboardEvent<HTMLButtonElement>, index: number) => {
    const delta = event.key === 'ArrowDown' || event.key === 'ArrowRight' ? 1 : event.key === 'ArrowUp' || event.key === 'ArrowLeft' ? -1 : 0;
    let next = index + delta;
    if (event.key === 'Home') next = 0;
    else if (event.key === 'End') next = TABS.length - 1;
    else if (delta === 0) return;
    event.preventDefault();
    const target = TABS[(next + TABS.length) % TABS.length]!;
    setTab(target.id);
    tabRefs.current[target.id]?.focus();
  };

  return (
    <div className="app" data-testid="console" data-user={state.server.userId}>
      <TopBar />
      <ServerBanner />
      <div className="body">
        <nav className="tabs" role="tablist" aria-orientation="vertical" aria-label={t('console.nav.label')}>
          {TABS.map((item, index) => {
            const badge = item.id === 'linkmic' ? pendingIncoming : item.id === 'pk' ? pendingPk : 0;
            return (
              <button
                key={item.id}
                ref={(el) => {
                  tabRefs.current[item.id] = el;
                }}
                type="button"
                role="tab"
                id={`tab-${item.id}`}
                aria-selected={tab === item.id}
                aria-controls={`panel-${item.id}`}
                tabIndex={tab === item.id ? 0 : -1}
                className={`tab ${tab === item.id ? 'is-active' : ''}`}
                onClick={() => setTab(item.id)}
                onKeyDown={(e) => onTabKey(e, index)}
                data-testid={`tab-${item.id}`}
              >
                {t(item.label)}
                {badge > 0 ? <span className="badge">{badge}</span> : null}
              </button>
            );
          })}
        </nav>
        <main className="content">
          {TABS.map((item) => (
            <section key={item.id} role="tabpanel" id={`panel-${item.id}`} aria-labelledby={`tab-${item.id}`} hidden={tab !== item.id} className="tabpanel" data-testid={`panel-${item.id}`}>
              {item.id === 'golive' ? <GoLivePanel active={tab === 'golive'} /> : null}
              {item.id === 'linkmic' ? <LinkMicPanel /> : null}
              {item.id === 'pk' ? <PkPanel /> : null}
              {item.id === 'layout' ? <LayoutEditor active={tab === 'layout'} /> : null}
              {item.id === 'audience' ? <AudiencePanel /> : null}
            </section>
          ))}
        </main>
        <Stage />
      </div>
      <StatusBar mic={mic} />
      <NoticeList />
    </div>
  );
}

function TopBar() {
  const { api, state } = useStudio();
  const { t, locale } = useI18n();
  const run = useAction();
  const live = state.live;
  const onAir = live.status === 'live' || live.status === 'reconnecting';
  const guestLink = state.links.find((l) => l.role === 'guest');
  const names: Record<Locale, string> = { en: 'English', 'zh-CN': '简体中文' };
  return (
    <header className="topbar">
      <h1 className="brand">{t('app.title')}</h1>
      <span className={`live-badge ${onAir ? 'is-live' : ''} status-${live.status}`} data-testid="live-badge" data-status={live.status} role="status">
        {live.status === 'live' ? t('status.live') : live.status === 'reconnecting' ? (live.reconnectAttempt > 0 ? t('status.reconnecting', { attempt: live.reconnectAttempt }) : t('console.player.reconnecting')) : live.status === 'starting' ? t('console.live.starting') : t('status.offline')}
      </span>
      {state.room ? <span className="muted room-chip" data-testid="room-id">{state.room.roomId}</span> : null}
      {guestLink ? (
        <span className="role-chip" data-testid="role-chip">
          {t('console.role.small', { room: guestLink.roomId })}
        </span>
      ) : null}
      <span className="spacer" />
      <span className={`server-dot server-${state.server.signal}`} data-testid="server-dot" data-signal={state.server.signal} title={state.server.httpUrl ?? ''}>
        {state.server.signal === 'connected' ? t('console.server.connected', { url: state.server.httpUrl ?? '' }) : state.server.signal === 'connecting' ? t('console.server.connecting') : t('console.server.disconnected')}
      </span>
      <label className="lang">
        <span>{t('app.language')}</span>
        <select value={locale} onChange={(e) => void run(() => api.updateSettings({ locale: e.target.value as Locale }))} data-testid="language">
          {LOCALES.map((l) => (
            <option key={l} value={l}>
              {names[l]}
            </option>
          ))}
        </select>
      </label>
    </header>
  );
}

/** A standing sentence while the link-mic server cannot be reached. */
function ServerBanner() {
  const { state } = useStudio();
  const { t, error } = useI18n();
  const server = state.server;
  if (server.signal === 'connected') return null;
  let text: string;
  if (serverLost(server)) text = t('console.server.unreachable');
  else if (server.lastError) text = error(server.lastError);
  else text = t('console.server.connecting');
  return (
    <div className="server-banner" role="alert" data-testid="server-banner" data-signal={server.signal}>
      {text}
    </div>
  );
}
