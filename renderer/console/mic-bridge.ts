// While we push with the renderer's microphone as audio source, capture it echo-cancelled and
// stream its PCM frames to the engine (renderer/audio does the work). The status reports what the
// browser really applied (getSettings), not what was asked, and the last device change.
import { useEffect, useState } from 'react';
import { MicCapture, studioAudioSink, type ActiveProcessingReport, type AppliedFlag, type MicDeviceChange } from '../audio';
import { useStudio } from './studio-session';
import { isOnAir } from './studio-views';

export interface MicStatus {
  readonly capturing: boolean;
  /** What is really active on the captured track ('unknown' before capture or when not reported). */
  readonly active: { readonly echoCancellation: AppliedFlag; readonly noiseSuppression: AppliedFlag; readonly autoGainControl: AppliedFlag };
  /** Switches the browser did not apply as asked. */
  readonly mismatched: readonly string[];
  readonly deviceLabel: string | null;
  /** The last device change, for a notice ("unplugged, using the default"). */
  readonly deviceChange: MicDeviceChange['kind'] | null;
  readonly error: string | null;
}

const UNKNOWN = { echoCancellation: 'unknown', noiseSuppression: 'unknown', autoGainControl: 'unknown' } as const;
const IDLE: MicStatus = { capturing: false, active: UNKNOWN, mismatched: [], deviceLabel: null, deviceChange: null, error: null };

function fromReport(report: ActiveProcessingReport): Pick<MicStatus, 'active' | 'mismatched' | 'deviceLabel'> {
  return { active: report.active, mismatched: report.mismatched, deviceLabel: report.label || null };
}

export function useMicBridge(): MicStatus {
  const { api, state } = useStudio();
  const wanted = state.sources.audio.kind === 'renderer-mic' && isOnAir(state.live.status);
  const { echoCancellation, noiseSuppression, autoGainControl } = state.audioProcessing;
  const [status, setStatus] = useState<MicStatus>(IDLE);
  useEffect(() => {
    if (!wanted) return;
    let capture: MicCapture | null = null;
    let cancelled = false;
    void MicCapture.start({ processing: { echoCancellation, noiseSuppression, autoGainControl }, onFrame: studioAudioSink(api) }).then(
      (started) => {
        if (cancelled) return void started.close();
        capture = started;
        started.events.on('processing', (report) => setStatus((previous) => ({ ...previous, ...fromReport(report) })));
        started.events.on('device', (change) =>
          setStatus((previous) => ({ ...previous, deviceChange: change.kind, ...('report' in change ? fromReport(change.report) : {}) })),
        );
        const report = started.activeProcessing;
        setStatus({ ...IDLE, capturing: true, ...(report ? fromReport(report) : {}) });
      },
      (error: unknown) => !cancelled && setStatus({ ...IDLE, error: error instanceof Error ? error.message : String(error) }),
    );
    return () => {
      cancelled = true;
      void capture?.close();
      setStatus(IDLE);
    };
  }, [api, wanted, echoCancellation, noiseSuppression, autoGainControl]);
  return status;
}
