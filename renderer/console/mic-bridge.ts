// While we push with the renderer's microphone as audio source, capture it echo-cancelled and
// stream its PCM frames to the engine (renderer/audio does the work).
import { useEffect, useState } from 'react';
import { MicCapture, studioAudioSink } from '../audio';
import { useStudio } from './studio-session';
import { isOnAir } from './studio-views';

export interface MicStatus {
  readonly capturing: boolean;
  readonly echoCancellation: boolean | 'unknown';
  readonly error: string | null;
}

export function useMicBridge(): MicStatus {
  const { api, state } = useStudio();
  const wanted = state.sources.audio.kind === 'renderer-mic' && isOnAir(state.live.status);
  const { echoCancellation, noiseSuppression, autoGainControl } = state.audioProcessing;
  const [status, setStatus] = useState<MicStatus>({ capturing: false, echoCancellation: 'unknown', error: null });
  useEffect(() => {
    if (!wanted) return;
    let capture: MicCapture | null = null;
    let cancelled = false;
    void MicCapture.start({ processing: { echoCancellation, noiseSuppression, autoGainControl }, onFrame: studioAudioSink(api) }).then(
      (started) => {
        if (cancelled) return void started.close();
        capture = started;
        setStatus({ capturing: true, echoCancellation: echoCancellation, error: null });
      },
      (error: unknown) => !cancelled && setStatus({ capturing: false, echoCancellation: 'unknown', error: error instanceof Error ? error.message : String(error) }),
    );
    return () => {
      cancelled = true;
      void capture?.close();
      setStatus({ capturing: false, echoCancellation: 'unknown', error: null });
    };
  }, [api, wanted, echoCancellation, noiseSuppression, autoGainControl]);
  return status;
}
