// The studio's low-latency FLV player (renderer side). See docs/player.md.
export { LowLatencyPlayer } from './low-latency-player';
export type { LowLatencyPlayerOptions, PlayerEvents, PlayerMode, PlayerState, PlayerStats } from './player-types';
