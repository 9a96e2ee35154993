// The push engine: the built-in ffmpeg engine or the streamer's OBS Studio (obs-websocket URL and
// password), with "Test connection" showing OBS's version, the obs-websocket version and the
// scenes, or the reason it failed (OBS not running, wrong password, obs-websocket older than 5).
import { useEffect, useState, type FormEvent } from 'react';
import type { ErrorPayload } from '../../common/errors';
import type { ObsDescription } from '../../common/studio-api';
import { useI18n } from './i18n-context';
import { useAction } from './notices';
import { useStudio } from './studio-session';

type Tested = { readonly kind: 'ok'; readonly obs: ObsDescription } | { readonly kind: 'failed'; readonly error: Pick<ErrorPayload, 'code' | 'message'> } | null;

export function EngineCard() {
  const { api, state } = useStudio();
  const { t, error: errorText } = useI18n();
  const run = useAction();
  const engine = state.engine;
  const [kind, setKind] = useState(engine.kind);
  const [obsUrl, setObsUrl] = useState(engine.obsUrl);
  const [password, setPassword] = useState('');
  const [tested, setTested] = useState<Tested>(null);
  const [testing, setTesting] = useState(false);
  useEffect(() => setKind(engine.kind), [engine.kind]);
  useEffect(() => setObsUrl(engine.obsUrl), [engine.obsUrl]);
  const save = (event: FormEvent) => {
    event.preventDefault();
    void run(async () => {
      await api.setEngine({ kind, ...(kind === 'obs' ? { obsUrl } : {}), ...(password !== '' ? { obsPassword: password } : {}) });
      setPassword('');
    });
  };
  const test = () => {
    setTesting(true);
    setTested(null);
    api
      .testObsConnection({ obsUrl, ...(password !== '' ? { obsPassword: password } : {}) })
      .then(
        (obs) => setTested({ kind: 'ok', obs }),
        (error: { code?: string; message?: string }) => setTested({ kind: 'failed', error: { code: (error.code ?? 'INTERNAL') as ErrorPayload['code'], message: error.message ?? String(error) } }),
      )
      .finally(() => setTesting(false));
  };
  return (
    <section className="card" aria-labelledby="engine-title">
      <h2 id="engine-title">{t('console.engine.title')}</h2>
      <form onSubmit={save}>
        <fieldset>
          <legend>{t('console.engine.kind')}</legend>
          <label className="radio">
            <input type="radio" name="engine-kind" checked={kind === 'ffmpeg'} onChange={() => setKind('ffmpeg')} data-testid="engine-ffmpeg" />
            {t('console.engine.ffmpeg')}
          </label>
          <label className="radio">
            <input type="radio" name="engine-kind" checked={kind === 'obs'} onChange={() => setKind('obs')} data-testid="engine-obs" />
            {t('console.engine.obs')}
          </label>
        </fieldset>
        {kind === 'obs' ? (
          <>
            <div className="field">
              <label htmlFor="obs-url">{t('console.engine.obsUrl')}</label>
              <input id="obs-url" required value={obsUrl} onChange={(e) => setObsUrl(e.target.value)} placeholder="ws://127.0.0.1:4455" data-testid="obs-url" />
            </div>
            <div className="field">
              <label htmlFor="obs-password">{t('console.engine.obsPassword')}</label>
              <input
                id="obs-password"
                type="password"
                autoComplete="off"
                placeholder={engine.hasObsPassword ? t('console.engine.passwordKeep') : ''}
                value={password}
                onChange={(e) => setPassword(e.target.value)}
                data-testid="obs-password"
              />
              {engine.hasObsPassword ? <small>{t('console.engine.passwordSaved')}</small> : null}
              {!state.server.secretsEncrypted ? <small className="muted"> {t('console.engine.passwordPlain')}</small> : null}
            </div>
            <p className="muted">{t('console.engine.obsHint')}</p>
            <button type="button" onClick={test} disabled={testing} data-testid="obs-test">
              {testing ? t('console.engine.testing') : t('console.engine.test')}
            </button>
            {tested?.kind === 'ok' ? (
              <p data-testid="obs-test-result" data-ok="true">
                {t('console.engine.testOk', { obs: tested.obs.obsVersion, websocket: tested.obs.obsWebSocketVersion })}
                <br />
                {t('console.engine.scenes', { scenes: tested.obs.scenes.join(', ') })}
              </p>
            ) : null}
            {tested?.kind === 'failed' ? (
              <p className="error-text" data-testid="obs-test-result" data-ok="false" data-code={tested.error.code}>
                {errorText(tested.error)}
              </p>
            ) : null}
          </>
        ) : null}
        <button type="submit" data-testid="engine-save">
          {t('console.engine.save')}
        </button>
      </form>
    </section>
  );
}
