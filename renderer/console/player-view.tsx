// One FLV stream on a canvas through the studio's LowLatencyPlayer: link mode (200 ms, between
// hosts) or audience mode (1 s). Shows the player's state and, optionally, live latency, buffer
// and fps. The wrapper carries `data-frames` / `data-pts` / `data-state` for tests and diagnostics
// (set on the element directly: no React render per frame).
import { useEffect, useRef, useState } from 'react';
import { LowLatencyPlayer, type PlayerMode, type PlayerState, type PlayerStats } from '../player';
import { useI18n } from './i18n-context';

export interface PlayerViewProps {
  readonly url: string | null;
  readonly mode: PlayerMode;
  /** 0..1 */
  readonly volume?: number;
  readonly muted?: boolean;
  readonly label: string;
  readonly showStats?: boolean;
  readonly testId?: string;
  readonly className?: string;
}

export function PlayerView({ url, mode, volume = 1, muted = false, label, showStats = false, testId, className }: PlayerViewProps) {
  const { t, number } = useI18n();
  const wrapperRef = useRef<HTMLDivElement>(null);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const playerRef = useRef<LowLatencyPlayer | null>(null);
  const [state, setState] = useState<PlayerState>('idle');
  const [stats, setStats] = useState<PlayerStats | null>(null);
  const supported = LowLatencyPlayer.isSupported();
  const gain = muted ? 0 : volume;
  const gainRef = useRef(gain);
  gainRef.current = gain;

  useEffect(() => {
    const canvas = canvasRef.current;
    const wrapper = wrapperRef.current;
    if (!url || !canvas || !wrapper || !supported) return;
    const player = new LowLatencyPlayer({ url, canvas, mode, volume: gainRef.current });
    playerRef.current = player;
    let frames = 0;
    wrapper.dataset.frames = '0';
    const subscriptions = [
      player.on('state', ({ state: next }) => {
        setState(next);
        wrapper.dataset.state = next;
      }),
      player.on('stats', (next) => {
        setStats(next);
        wrapper.dataset.clock = next.clock;
      }),
      player.on('error', (error) => {
        wrapper.dataset.error = error.code;
      }),
      player.on('render', ({ pts }) => {
        frames += 1;
        if (frames % 5 === 1) {
          wrapper.dataset.frames = String(frames);
          wrapper.dataset.pts = String(Math.round(pts));
        }
      }),
    ];
    // Audio held by the autoplay policy starts with the streamer's next click or key.
    const resume = () => void player.resume().catch(() => undefined);
    document.addEventListener('pointerdown', resume, { once: true });
    document.addEventListener('keydown', resume, { once: true });
    player.start();
    return () => {
      document.removeEventListener('pointerdown', resume);
      document.removeEventListener('keydown', resume);
      for (const subscription of subscriptions) subscription.dispose();
      playerRef.current = null;
      void player.close();
      setState('idle');
      setStats(null);
      delete wrapper.dataset.state;
    };
  }, [url, mode, supported]);

  useEffect(() => {
    playerRef.current?.setVolume(gain);
  }, [gain]);

  const overlay = !supported
    ? t('console.player.unsupported')
    : state === 'connecting' || state === 'idle'
      ? t('console.player.connecting')
      : state === 'buffering'
        ? t('console.player.buffering')
        : state === 'reconnecting'
          ? t('console.player.reconnecting')
          : null;
  const ms = (value: number | null | undefined) => (value === null || value === undefined ? t('console.stats.none') : t('console.stats.ms', { value: Math.round(value) }));

  return (
    <div ref={wrapperRef} className={`player ${className ?? ''}`} data-testid={testId} data-mode={mode}>
      <canvas ref={canvasRef} className="player-canvas" role="img" aria-label={label} data-testid={testId ? `${testId}-canvas` : undefined} />
      {url && overlay ? <div className="player-overlay">{overlay}</div> : null}
      {showStats ? (
        <dl className="player-stats" data-testid={testId ? `${testId}-stats` : undefined}>
          <div>
            <dt>{t('console.stats.latency')}</dt>
            <dd data-testid={testId ? `${testId}-latency` : undefined}>{ms(stats?.latencyMs)}</dd>
          </div>
          <div>
            <dt>{t('console.stats.buffer')}</dt>
            <dd>{ms(stats?.bufferMs)}</dd>
          </div>
          <div>
            <dt>{t('console.stats.fps')}</dt>
            <dd>{stats ? number(stats.fps, { maximumFractionDigits: 0 }) : t('console.stats.none')}</dd>
          </div>
        </dl>
      ) : null}
    </div>
  );
}
