// Go live: the live switch, the server profile, role, sources, the encoder in use and why, and a
// local preview of what leaves the studio.
import { useEffect, useState, type FormEvent } from 'react';
import type { EncoderPreference, ServerProfileInput, SourceList, Sources, VideoOverlay } from '../../common/studio-api';
import { MIX_TEMPLATE_IDS } from '../../common/mix-templates';
import { EngineCard } from './engine-card';
import { useI18n } from './i18n-context';
import { useAction } from './notices';
import { PlayerView } from './player-view';
import { RecordingCard } from './recording-card';
import { useStudio } from './studio-session';
import { encoderReason, isBusy, isOnAir } from './studio-views';

export function GoLivePanel({ active }: { active: boolean }) {
  return (
    <div className="panel-grid">
      <LiveCard />
      <RecordingCard />
      <AudienceMixCard />
      <PreviewCard active={active} />
      <EncoderCard />
      <RoleCard />
      <ServerCard />
      <EngineCard />
      <SourcesCard />
    </div>
  );
}

function LiveCard() {
  const { api, state, settings } = useStudio();
  const { t, time, number } = useI18n();
  const run = useAction();
  const [streamCode, setStreamCode] = useState(settings.streamCode);
  useEffect(() => setStreamCode(settings.streamCode), [settings.streamCode]);
  const live = state.live;
  const onAir = isOnAir(live.status);
  const busy = isBusy(live.status);
  const bigHost = live.role !== 'small';
  const toggle = () =>
    void run(async () => {
      if (onAir) await api.stopLive();
      else {
        if (streamCode !== settings.streamCode) await api.updateSettings({ streamCode });
        await api.goLive({ streamCode });
      }
    });
  return (
    <section className="card card-live" aria-labelledby="live-title">
      <h2 id="live-title">{t('console.nav.goLive')}</h2>
      <div className="field">
        <label htmlFor="stream-code">{t('console.live.streamCode')}</label>
        <input id="stream-code" data-testid="stream-code" value={streamCode} disabled={onAir} onChange={(e) => setStreamCode(e.target.value.trim())} />
      </div>
      <button
        type="button"
        className={`btn-live ${onAir ? 'is-live' : ''}`}
        data-testid={onAir ? 'stop-live' : 'go-live'}
        disabled={busy || !bigHost || streamCode === ''}
        onClick={toggle}
      >
        {live.status === 'starting' ? t('console.live.starting') : live.status === 'stopping' ? t('console.live.stopping') : onAir ? t('console.live.stop') : t('console.live.goLive')}
      </button>
      <p className="live-line" data-testid="live-status" data-status={live.status}>
        {live.status === 'live' && live.startedAt ? t('console.live.since', { time: time(live.startedAt) }) : null}
        {live.status === 'reconnecting' ? (live.reconnectAttempt > 0 ? t('status.reconnecting', { attempt: live.reconnectAttempt }) : t('console.player.reconnecting')) : null}
        {live.status === 'offline' ? t('status.offline') : null}
      </p>
      {state.room ? (
        <p className="muted" data-testid="room-info">
          {t('console.live.room', { room: state.room.roomId, session: String(state.room.sessionId) })} · {t('console.live.viewers', { count: number(state.room.viewerCount) })}
        </p>
      ) : null}
    </section>
  );
}

/** The server mix templates (common/mix-templates.ts), each with its label. */
const MIX_TEMPLATES = MIX_TEMPLATE_IDS.map((id) => [id, `console.mix.template${id}`] as const);

/**
 * Client-side mix (default) or server-side mix with a template (spec §7). The choice is saved as a
 * room default and, with a room open, applied to it at once (a live push restarts with its new URL).
 */
function AudienceMixCard() {
  const { api, state, settings } = useStudio();
  const { t } = useI18n();
  const run = useAction();
  const room = state.room;
  const serverMix = room ? room.serverMix : settings.room.serverMix === true ? { templateId: settings.room.templateId } : null;
  const templateId = serverMix?.templateId ?? settings.room.templateId;
  const guestsLinked = state.links.some((l) => l.role === 'host');
  const smallHost = state.live.role === 'small';
  const disabled = guestsLinked || smallHost || isBusy(state.live.status);
  const apply = (on: boolean, template: number) =>
    void run(async () => {
      await api.updateSettings({ room: { ...settings.room, serverMix: on, templateId: template } });
      if (room) await api.updateRoom({ serverMix: on ? { templateId: template } : null });
    });
  return (
    <section className="card" aria-labelledby="mix-title" data-testid="mix-card" data-mix={serverMix ? `server-${serverMix.templateId}` : 'client'}>
      <h2 id="mix-title">{t('console.mix.title')}</h2>
      <label className="switch">
        <input
          type="checkbox"
          role="switch"
          aria-checked={serverMix !== null}
          checked={serverMix !== null}
          disabled={disabled}
          onChange={(e) => apply(e.target.checked, templateId)}
          data-testid="server-mix"
        />
        {t('console.mix.server')}
      </label>
      {serverMix ? (
        <div className="field">
          <label htmlFor="mix-template">{t('console.mix.template')}</label>
          <select id="mix-template" value={serverMix.templateId} disabled={disabled} onChange={(e) => apply(true, Number(e.target.value))} data-testid="server-mix-template">
            {MIX_TEMPLATES.map(([id, label]) => (
              <option key={id} value={id}>
                {t(label)}
              </option>
            ))}
          </select>
        </div>
      ) : null}
      <p className="muted">{serverMix ? t('console.mix.serverHint') : t('console.mix.clientHint')}</p>
      {guestsLinked ? <p className="muted" data-testid="server-mix-locked">{t('console.mix.guestsLinked')}</p> : isOnAir(state.live.status) ? <p className="muted">{t('console.mix.liveHint')}</p> : null}
    </section>
  );
}

function PreviewCard({ active }: { active: boolean }) {
  const { state } = useStudio();
  const { t } = useI18n();
  const [show, setShow] = useState(true);
  const code = state.live.streamCode;
  const url = code && state.live.status === 'live' ? (state.room?.streamCode === code ? state.room.audienceUrls[code] : null) ?? null : null;
  return (
    <section className="card card-preview" aria-labelledby="preview-title">
      <div className="card-head">
        <h2 id="preview-title">{t('console.preview.title')}</h2>
        <label className="switch">
          <input type="checkbox" checked={show} onChange={(e) => setShow(e.target.checked)} data-testid="preview-toggle" />
          {t('console.preview.show')}
        </label>
      </div>
      {url && show && active ? (
        // Muted: a streamer must never hear themself.
        <PlayerView url={url} mode="link" muted label={t('console.preview.title')} testId="preview" className="preview" />
      ) : (
        <div className="preview-empty">{t('console.preview.offline')}</div>
      )}
    </section>
  );
}

function ServerCard() {
  const { api, state, settings } = useStudio();
  const { t } = useI18n();
  const run = useAction();
  const server = state.server;
  const [kind, setKind] = useState<'embedded' | 'remote'>(settings.server.kind);
  const [httpUrl, setHttpUrl] = useState(settings.server.kind === 'remote' ? settings.server.httpUrl : '');
  const [userId, setUserId] = useState(settings.server.kind === 'remote' ? settings.server.userId : settings.userId);
  const [token, setToken] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const profile: ServerProfileInput =
      kind === 'embedded' ? { kind: 'embedded' } : { kind: 'remote', httpUrl: httpUrl.trim(), userId: userId.trim(), ...(token ? { token } : {}) };
    void run(async () => {
      await api.setServerProfile(profile);
      setToken('');
    });
  };
  const statusText =
    server.signal === 'connected'
      ? t('console.server.connected', { url: server.httpUrl ?? '' })
      : server.signal === 'connecting'
        ? t('console.server.connecting')
        : t('console.server.disconnected');
  return (
    <section className="card" aria-labelledby="server-title">
      <h2 id="server-title">{t('console.server.title')}</h2>
      <p className={`server-status server-${server.signal}`} data-testid="server-status" data-signal={server.signal}>
        {statusText}
      </p>
      {server.lastError && server.signal !== 'connected' ? <p className="error-text">{t('console.server.unreachable')}</p> : null}
      <form onSubmit={submit}>
        <fieldset>
          <legend>{t('console.server.kind')}</legend>
          <label className="radio">
            <input type="radio" name="server-kind" checked={kind === 'embedded'} onChange={() => setKind('embedded')} data-testid="server-embedded" />
            {t('console.server.embedded')}
          </label>
          <label className="radio">
            <input type="radio" name="server-kind" checked={kind === 'remote'} onChange={() => setKind('remote')} data-testid="server-remote" />
            {t('console.server.remote')}
          </label>
        </fieldset>
        {kind === 'remote' ? (
          <>
            <div className="field">
              <label htmlFor="server-url">{t('console.server.url')}</label>
              <input id="server-url" type="url" required placeholder="https://live.example.com" value={httpUrl} onChange={(e) => setHttpUrl(e.target.value)} data-testid="server-url" />
            </div>
            <div className="field">
              <label htmlFor="server-user">{t('console.server.userId')}</label>
              <input id="server-user" required value={userId} onChange={(e) => setUserId(e.target.value)} data-testid="server-user" />
            </div>
            <div className="field">
              <label htmlFor="server-token">{t('console.server.token')}</label>
              <input
                id="server-token"
                type="password"
                autoComplete="off"
                placeholder={server.hasToken ? t('console.server.tokenKeep') : ''}
                value={token}
                onChange={(e) => setToken(e.target.value)}
                data-testid="server-token"
              />
              {server.hasToken ? <small>{t('console.server.tokenSaved')}</small> : null}
              {!server.secretsEncrypted ? <small className="muted"> {t('console.server.tokenPlain')}</small> : null}
            </div>
          </>
        ) : null}
        <button type="submit" data-testid="server-connect">
          {t('console.server.connect')}
        </button>
      </form>
    </section>
  );
}

function RoleCard() {
  const { state } = useStudio();
  const { t } = useI18n();
  const guestLink = state.links.find((l) => l.role === 'guest');
  const role = state.live.role;
  const text = role === 'small' ? t('console.role.small', { room: guestLink?.roomId ?? '' }) : role === 'big' ? t('console.role.big') : t('console.role.none');
  return (
    <section className="card" aria-labelledby="role-title">
      <h2 id="role-title">{t('console.role.title')}</h2>
      <p data-testid="role" data-role={role ?? 'none'} className="role-line">
        {text}
      </p>
      <p className="muted">{t('console.role.hint')}</p>
    </section>
  );
}

type VideoKind = Sources['video']['kind'];
type OverlayPosition = NonNullable<VideoOverlay['position']>;
const OVERLAY_POSITIONS: readonly OverlayPosition[] = ['bottom-right', 'bottom-left', 'top-right', 'top-left'];
type AudioKind = Sources['audio']['kind'];

function SourcesCard() {
  const { api, state } = useStudio();
  const { t } = useI18n();
  const run = useAction();
  const [list, setList] = useState<SourceList | null>(null);
  const [video, setVideo] = useState<VideoKind>(state.sources.video.kind);
  const [device, setDevice] = useState(state.sources.video.kind === 'camera' ? state.sources.video.deviceId : state.sources.video.kind === 'screen' ? (state.sources.video.displayId ?? '') : '');
  const [filePath, setFilePath] = useState(state.sources.video.kind === 'file' ? state.sources.video.path : '');
  const [audio, setAudio] = useState<AudioKind>(state.sources.audio.kind);
  const initialOverlay = state.sources.overlay?.source.kind === 'camera' ? state.sources.overlay : undefined;
  const [overlayOn, setOverlayOn] = useState(initialOverlay !== undefined);
  const [overlayCamera, setOverlayCamera] = useState(initialOverlay?.source.kind === 'camera' ? initialOverlay.source.deviceId : '');
  const [overlayPosition, setOverlayPosition] = useState<OverlayPosition>(initialOverlay?.position ?? 'bottom-right');
  const [saved, setSaved] = useState(false);
  useEffect(() => {
    let cancelled = false;
    api.listSources().then(
      (sources) => !cancelled && setList(sources),
      () => undefined,
    );
    return () => {
      cancelled = true;
    };
  }, [api]);
  const devices = (list?.video ?? []).filter((s) => s.kind === video && s.id);
  const cameras = (list?.video ?? []).filter((s) => s.kind === 'camera' && s.id);
  const apply = () => {
    let videoSource: Sources['video'];
    if (video === 'camera') videoSource = { kind: 'camera', deviceId: device || devices[0]?.id || 'default' };
    else if (video === 'screen') videoSource = device ? { kind: 'screen', displayId: device } : { kind: 'screen' };
    else if (video === 'file') videoSource = { kind: 'file', path: filePath };
    else videoSource = { kind: 'test-pattern' };
    const audioSource: Sources['audio'] = audio === 'renderer-mic' ? { kind: 'renderer-mic' } : audio === 'test-tone' ? { kind: 'test-tone' } : { kind: 'none' };
    const cameraId = overlayCamera || cameras[0]?.id;
    const overlay = video === 'screen' && overlayOn && cameraId ? { source: { kind: 'camera' as const, deviceId: cameraId }, position: overlayPosition } : undefined;
    void run(async () => {
      await api.setSources({ video: videoSource, ...(overlay ? { overlay } : {}), audio: audioSource });
      setSaved(true);
    });
  };
  return (
    <section className="card" aria-labelledby="sources-title">
      <h2 id="sources-title">{t('console.sources.title')}</h2>
      <div className="field">
        <label htmlFor="video-source">{t('console.sources.video')}</label>
        <select id="video-source" value={video} onChange={(e) => (setVideo(e.target.value as VideoKind), setSaved(false))} data-testid="video-source">
          <option value="test-pattern">{t('console.sources.testPattern')}</option>
          <option value="screen">{t('console.sources.screen')}</option>
          <option value="camera">{t('console.sources.camera')}</option>
          <option value="file">{t('console.sources.file')}</option>
        </select>
      </div>
      {(video === 'camera' || video === 'screen') && devices.length > 0 ? (
        <div className="field">
          <label htmlFor="video-device">{t('console.sources.device')}</label>
          <select id="video-device" value={device} onChange={(e) => setDevice(e.target.value)}>
            {devices.map((d) => (
              <option key={d.id} value={d.id}>
                {d.label}
              </option>
            ))}
          </select>
        </div>
      ) : null}
      {video === 'file' ? (
        <div className="field">
          <label htmlFor="video-file">{t('console.sources.filePath')}</label>
          <input id="video-file" value={filePath} onChange={(e) => setFilePath(e.target.value)} />
        </div>
      ) : null}
      {video === 'screen' ? (
        <>
          <label className="switch">
            <input type="checkbox" checked={overlayOn} disabled={cameras.length === 0} onChange={(e) => (setOverlayOn(e.target.checked), setSaved(false))} data-testid="overlay-toggle" />
            {t('console.sources.overlay')}
          </label>
          {overlayOn && cameras.length > 0 ? (
            <div className="field-row">
              <div className="field">
                <label htmlFor="overlay-camera">{t('console.sources.overlayCamera')}</label>
                <select id="overlay-camera" value={overlayCamera || cameras[0]!.id} onChange={(e) => setOverlayCamera(e.target.value)}>
                  {cameras.map((d) => (
                    <option key={d.id} value={d.id}>
                      {d.label}
                    </option>
                  ))}
                </select>
              </div>
              <div className="field">
                <label htmlFor="overlay-position">{t('console.sources.overlayPosition')}</label>
                <select id="overlay-position" value={overlayPosition} onChange={(e) => setOverlayPosition(e.target.value as OverlayPosition)}>
                  {OVERLAY_POSITIONS.map((p) => (
                    <option key={p} value={p}>
                      {t(`console.sources.pos.${p}`)}
                    </option>
                  ))}
                </select>
              </div>
            </div>
          ) : null}
        </>
      ) : null}
      <div className="field">
        <label htmlFor="audio-source">{t('console.sources.audio')}</label>
        <select id="audio-source" value={audio} onChange={(e) => (setAudio(e.target.value as AudioKind), setSaved(false))} data-testid="audio-source">
          <option value="renderer-mic">{t('console.sources.mic')}</option>
          <option value="test-tone">{t('console.sources.tone')}</option>
          <option value="none">{t('console.sources.none')}</option>
        </select>
      </div>
      {audio === 'renderer-mic' ? <AudioProcessingSwitches /> : null}
      <button type="button" onClick={apply} data-testid="sources-apply" disabled={video === 'file' && filePath.trim() === ''}>
        {t('console.sources.apply')}
      </button>
      {saved ? <p className="muted">{t('console.sources.saved')}</p> : null}
    </section>
  );
}

/** The guide's enableAEC, split in its three switches; applied at once (the mic capture restarts). */
function AudioProcessingSwitches() {
  const { api, state } = useStudio();
  const { t } = useI18n();
  const run = useAction();
  // Shown at once on click; the core's state (the truth) replaces it when it arrives.
  const [flags, setFlags] = useState(state.audioProcessing);
  const { echoCancellation, noiseSuppression, autoGainControl } = state.audioProcessing;
  useEffect(() => setFlags({ echoCancellation, noiseSuppression, autoGainControl }), [echoCancellation, noiseSuppression, autoGainControl]);
  const switches = [
    ['echoCancellation', 'console.audio.echoCancellation'],
    ['noiseSuppression', 'console.audio.noiseSuppression'],
    ['autoGainControl', 'console.audio.autoGainControl'],
  ] as const;
  return (
    <fieldset data-testid="audio-processing">
      <legend>{t('console.audio.title')}</legend>
      {switches.map(([flag, label]) => (
        <label className="switch" key={flag}>
          <input type="checkbox" checked={flags[flag]} onChange={(e) => {
              const on = e.target.checked;
              setFlags((previous) => ({ ...previous, [flag]: on }));
              void run(() => api.setAudioProcessing({ [flag]: on }));
            }} data-testid={`audio-${flag}`} />
          {t(label)}
        </label>
      ))}
      <p className="muted">{t('console.audio.hint')}</p>
    </fieldset>
  );
}

function EncoderCard() {
  const { api, state } = useStudio();
  const { t } = useI18n();
  const run = useAction();
  const available = state.encoder.available;
  const preference = state.encoder.preference;
  const reason = encoderReason(state);
  const setPreference = (value: EncoderPreference) => void run(() => api.setEncoder({ preference: value, ...(state.encoder.overrides ? { overrides: state.encoder.overrides } : {}) }));
  return (
    <section className="card" aria-labelledby="encoder-title">
      <h2 id="encoder-title">{t('console.encoder.title')}</h2>
      <div className="field">
        <label htmlFor="encoder-pref">{t('console.encoder.preference')}</label>
        <select id="encoder-pref" value={preference} onChange={(e) => setPreference(e.target.value)} data-testid="encoder-preference">
          <option value="auto">{t('console.encoder.auto')}</option>
          <option value="software">{t('console.encoder.software')}</option>
          {(available ?? [])
            .filter((e) => e.usable && e.name !== preference)
            .map((e) => (
              <option key={e.name} value={e.name}>
                {e.name} ({e.hardware ? t('console.encoder.hardwareTag') : t('console.encoder.softwareTag')})
              </option>
            ))}
          {preference !== 'auto' && preference !== 'software' ? <option value={preference}>{preference}</option> : null}
        </select>
      </div>
      <p data-testid="encoder-in-use" data-encoder={state.live.encoder ?? ''}>
        {state.live.encoder ? t('console.encoder.inUse', { name: state.live.encoder }) : t('console.encoder.notLive')}
      </p>
      {reason ? (
        <p className={reason === 'fallback' ? 'warn-text' : 'muted'} data-testid="encoder-why" data-reason={reason}>
          {t(`console.encoder.why.${reason}`)}
        </p>
      ) : null}
      {available ? (
        <ul className="encoder-list">
          {available.map((e) => (
            <li key={e.name}>
              {e.name} · {e.hardware ? t('console.encoder.hardwareTag') : t('console.encoder.softwareTag')}
              {e.usable ? '' : ` · ${t('console.encoder.unusable')}`}
            </li>
          ))}
        </ul>
      ) : null}
      <button type="button" onClick={() => void run(() => api.probeEncoders())} data-testid="encoder-probe">
        {t('console.encoder.probe')}
      </button>
    </section>
  );
}
