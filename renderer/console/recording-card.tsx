// Recording: a Record button next to Go live, with the elapsed time and the size written, the ISO
// option (each co-host / PK opponent to its own file), the folder, and errors in the console's language.
import { useEffect, useState, type FormEvent } from 'react';
import { useI18n } from './i18n-context';
import { useAction } from './notices';
import { useStudio } from './studio-session';
import { useNow } from './use-now';

function elapsed(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(Math.floor(total / 3600))}:${two(Math.floor(total / 60) % 60)}:${two(total % 60)}`;
}

/** A file size in the console's language: kB below 1 MB (so a fresh file does not read "0 MB"), else MB. */
function fileSize(bytes: number, number: (value: number, options?: Intl.NumberFormatOptions) => string): string {
  if (bytes < 1024 * 1024) return number(bytes / 1024, { style: 'unit', unit: 'kilobyte', maximumFractionDigits: 0 });
  return number(bytes / (1024 * 1024), { style: 'unit', unit: 'megabyte', maximumFractionDigits: 1 });
}

export function RecordingCard() {
  const { api, state, settings } = useStudio();
  const { t, number, error: errorText } = useI18n();
  const run = useAction();
  const recording = state.recording;
  const isRecording = recording.status === 'recording';
  const now = useNow(isRecording, 1000);
  const [iso, setIso] = useState(settings.recording?.iso ?? false);
  const [folder, setFolder] = useState(recording.folder);
  useEffect(() => setFolder(recording.folder), [recording.folder]);
  const canRecord = state.live.status === 'live' && state.live.role === 'big';
  const bytes = recording.files.reduce((sum, f) => sum + f.bytes, 0);
  const toggle = () => void run(async () => (isRecording ? api.stopRecording() : api.startRecording({ iso })));
  const saveFolder = (event: FormEvent) => {
    event.preventDefault();
    void run(() => api.setRecordingFolder({ folder }));
  };
  return (
    <section className="card card-recording" aria-labelledby="recording-title">
      <h2 id="recording-title">{t('console.recording.title')}</h2>
      <button type="button" className={`btn-record ${isRecording ? 'is-recording' : ''}`} data-testid={isRecording ? 'stop-recording' : 'start-recording'} disabled={!isRecording && !canRecord} onClick={toggle}>
        {isRecording ? t('console.recording.stop') : t('console.recording.start')}
      </button>
      <p className="live-line" data-testid="recording-status" data-status={recording.status}>
        {isRecording && recording.startedAt
          ? t('console.recording.progress', { elapsed: elapsed(now - recording.startedAt), size: fileSize(bytes, number) })
          : canRecord
            ? t('console.recording.idle')
            : t('console.recording.needsLive')}
      </p>
      <label className="check">
        <input type="checkbox" data-testid="recording-iso" checked={iso} disabled={isRecording} onChange={(e) => setIso(e.target.checked)} />
        {t('console.recording.iso')}
      </label>
      <form className="field" onSubmit={saveFolder}>
        <label htmlFor="recording-folder">{t('console.recording.folder')}</label>
        <input id="recording-folder" data-testid="recording-folder" value={folder} disabled={isRecording} onChange={(e) => setFolder(e.target.value)} />
        <button type="submit" data-testid="recording-folder-save" disabled={isRecording || folder === '' || folder === recording.folder}>
          {t('console.recording.folderSave')}
        </button>
      </form>
      {recording.lastError ? (
        <p className="error-text" data-testid="recording-error">
          {errorText(recording.lastError)}
        </p>
      ) : null}
      {recording.files.length > 0 ? (
        <ul className="muted" data-testid="recording-files">
          {recording.files.map((f) => (
            <li key={f.path}>{f.path}</li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}
