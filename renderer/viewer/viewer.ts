// The audience web page (/watch/{room}): plays a room with the LowLatencyPlayer in audience mode
// (~1 s buffer with latency correction). A server-mixed room is one stream; otherwise the page
// mixes client-side: each host's stream in the rectangle the room layout gives it, following
// layout changes live as a read-only signalling viewer. Offline state, reconnection, sound on a
// click (autoplay rules), volume and full screen. During a PK battle: the server's countdown, the
// score bar (this room first), like / gift votes (`pk.vote`) and the winner (battle-board.ts).
// Text through common/i18n.
import { matchLocale, translate, type MessageKey } from '../../common/i18n';
import type { Layout, Rect } from '../../common/layout';
import type { Battle } from '../../common/signal/pk-battle';
import type { RoomSnapshot } from '../../common/signal/messages';
import { SignalClient } from '../../common/signal/signal-client';
import { LowLatencyPlayer } from '../player';
import type { PlayerState } from '../player';
import { BattleBoard } from './battle-board';

interface WatchInfo {
  readonly roomId: string;
  readonly live: boolean;
  readonly mixed: boolean;
  readonly streamPath: string;
  readonly signal: { readonly path: string; readonly userId: string; readonly token: string } | null;
}

interface TileSpec {
  readonly streamCode: string;
  readonly path: string;
  readonly rect: Rect;
  readonly z: number;
  readonly audio: boolean;
}

interface Tile {
  spec: TileSpec;
  readonly canvas: HTMLCanvasElement;
  readonly player: LowLatencyPlayer;
  state: PlayerState;
}

const INFO_POLL_MS = 2000;
const FULL: Rect = { x: 0, y: 0, w: 1, h: 1 };

const locale = matchLocale(navigator.language);
const t = (key: MessageKey, params: Record<string, string | number> = {}): string => translate(locale, key, params);
const byId = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;

const room = decodeURIComponent(location.pathname.split('/').filter(Boolean).pop() ?? '');
const stage = byId<HTMLDivElement>('stage');
const tilesBox = byId<HTMLDivElement>('tiles');
const overlay = byId<HTMLDivElement>('overlay');
const badge = byId<HTMLSpanElement>('badge');
const soundButton = byId<HTMLButtonElement>('sound');
const unmuteButton = byId<HTMLButtonElement>('unmute');
const volumeInput = byId<HTMLInputElement>('volume');
const fullscreenButton = byId<HTMLButtonElement>('fullscreen');

let info: WatchInfo | null = null;
let layout: Layout | null = null;
let audienceUrls: Record<string, string> = {};
let signal: SignalClient | null = null;
let muted = true;
let layoutVersion = 0;
let joined = false;
const tiles = new Map<string, Tile>();
/** Server clock minus ours, ms: from `hello`, then from each `pk.battle`. */
let serverOffsetMs = 0;
const battle = new BattleBoard({
  locale,
  t,
  roomId: room,
  vote: (pkId, roomId, kind) => {
    if (!signal) return Promise.reject(new Error('not connected'));
    return signal.votePk(pkId, roomId, kind);
  },
});

/** The battle a room snapshot carries (join, room.updated); a newer `pk.battle` wins over it. */
function battleFromSnapshot(pk: RoomSnapshot['pk']): void {
  if (!pk?.battle) {
    battle.show(null);
    return;
  }
  const known = battle.current;
  if (known?.pkId === pk.pkId && isOlder(pk.battle, known.battle)) return;
  battle.show({ pkId: pk.pkId, battle: pk.battle, serverOffsetMs });
}

/** A snapshot's battle that is behind the one shown (an earlier round or phase, or fewer points). */
function isOlder(candidate: Battle, shown: Battle): boolean {
  if (candidate.round !== shown.round) return candidate.round < shown.round;
  if (candidate.phase !== shown.phase) return candidate.phase === 'battle';
  return candidate.sides[0].score + candidate.sides[1].score < shown.sides[0].score + shown.sides[1].score;
}

function volume(): number {
  return Number(volumeInput.value) / 100;
}

/** Same-origin path (and query) of a stream's audience play: keeps the CSP to 'self'. */
function pathOf(streamCode: string): string {
  const url = audienceUrls[streamCode];
  if (url) {
    try {
      const parsed = new URL(url);
      return `${parsed.pathname}${parsed.search}`;
    } catch {
      // fall through
    }
  }
  return `/live/${encodeURIComponent(streamCode)}.flv`;
}

function wanted(): TileSpec[] {
  if (!info?.live) return [];
  if (info.mixed || !layout || layout.participants.length === 0) {
    return [{ streamCode: room, path: info.streamPath, rect: FULL, z: 0, audio: true }];
  }
  return layout.participants.map((p) => ({ streamCode: p.streamCode, path: pathOf(p.streamCode), rect: p.rect, z: p.z, audio: p.audio ?? true }));
}

function place(tile: Tile): void {
  const { rect, z } = tile.spec;
  const style = tile.canvas.style;
  style.left = `${rect.x * 100}%`;
  style.top = `${rect.y * 100}%`;
  style.width = `${rect.w * 100}%`;
  style.height = `${rect.h * 100}%`;
  style.zIndex = String(z);
  tile.canvas.dataset.rect = `${rect.x},${rect.y},${rect.w},${rect.h}`;
  tile.player.setVolume(muted || !tile.spec.audio ? 0 : volume());
}

function render(): void {
  const specs = wanted();
  const keep = new Set(specs.map((s) => `${s.streamCode}|${s.path}`));
  for (const [key, tile] of tiles) {
    if (!keep.has(key)) {
      tiles.delete(key);
      void tile.player.close();
      tile.canvas.remove();
    }
  }
  for (const spec of specs) {
    const key = `${spec.streamCode}|${spec.path}`;
    let tile = tiles.get(key);
    if (!tile) {
      const canvas = document.createElement('canvas');
      canvas.dataset.streamCode = spec.streamCode;
      tilesBox.append(canvas);
      const player = new LowLatencyPlayer({ url: `${location.origin}${spec.path}`, canvas, mode: 'audience', volume: 0 });
      const created: Tile = { spec, canvas, player, state: 'idle' };
      player.on('state', ({ state }) => {
        created.state = state;
        updateStatus();
      });
      player.start();
      tiles.set(key, created);
      tile = created;
    }
    tile.spec = spec;
    place(tile);
  }
  stage.dataset.layoutVersion = String(layoutVersion);
  updateStatus();
}

function updateStatus(): void {
  let state: 'connecting' | 'playing' | 'reconnecting' | 'offline';
  if (info && !info.live) state = 'offline';
  else if ([...tiles.values()].some((tile) => tile.state === 'playing')) state = 'playing';
  else if ([...tiles.values()].some((tile) => tile.state === 'reconnecting')) state = 'reconnecting';
  else state = 'connecting';
  stage.dataset.state = state;
  overlay.textContent = state === 'offline' ? t('viewer.offline') : state === 'reconnecting' ? t('viewer.reconnecting') : state === 'connecting' ? t('viewer.connecting') : '';
  badge.textContent = state === 'playing' ? `${t('viewer.live')}${info?.mixed ? ` · ${t('viewer.mixed')}` : ''}` : state === 'offline' ? t('status.offline') : t('viewer.connecting');
  badge.classList.toggle('live', state === 'playing');
  unmuteButton.hidden = !muted || state !== 'playing';
}

async function refreshInfo(): Promise<void> {
  try {
    const response = await fetch(`/api/watch/${encodeURIComponent(room)}`, { cache: 'no-store' });
    if (!response.ok) return;
    const next = (await response.json()) as WatchInfo;
    const changed = !info || info.live !== next.live || info.mixed !== next.mixed || info.streamPath !== next.streamPath;
    info = next;
    if (!signal && next.signal) startSignal(next.signal);
    else if (signal && !joined && signal.state === 'open') joinRoom(signal);
    if (changed) render();
  } catch {
    // the server is unreachable: players show reconnecting; try again on the next poll
    updateStatus();
  }
}

function startSignal(login: NonNullable<WatchInfo['signal']>): void {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const client = new SignalClient({
    url: `${scheme}//${location.host}${login.path}`,
    userId: login.userId,
    token: login.token,
    createWebSocket: (url) => new WebSocket(url),
  });
  signal = client;
  const apply = (next: Layout | null, urls?: Record<string, string>): void => {
    layout = next;
    if (urls) audienceUrls = { ...audienceUrls, ...urls };
    layoutVersion += 1;
    render();
  };
  client.events.on('layout.changed', (event) => {
    if (event.roomId === room) apply(event.layout, event.audienceUrls);
  });
  client.events.on('room.updated', (event) => {
    if (event.room.roomId !== room) return;
    battleFromSnapshot(event.room.pk);
    apply(event.room.layout, event.room.audienceUrls);
  });
  client.events.on('room.closed', (event) => {
    if (event.roomId !== room) return;
    battle.show(null);
    apply(null);
  });
  client.events.on('pk.battle', (event) => {
    serverOffsetMs = event.serverTime - Date.now();
    battle.show({ pkId: event.pkId, battle: event.battle, serverOffsetMs });
  });
  client.events.on('pk.ended', (event) => {
    if (battle.current?.pkId === event.pkId) battle.show(null);
  });
  client.events.on('connected', (hello) => {
    serverOffsetMs = hello.serverTime - Date.now();
    joined = false;
    joinRoom(client);
  });
  client.events.on('disconnected', () => {
    joined = false;
  });
  client.connect().catch(() => undefined);
}

/** Joins the room as a viewer; a room not open (yet) is retried by the info poll. */
function joinRoom(client: SignalClient): void {
  client.joinRoom(room).then(
    (result) => {
      joined = true;
      battleFromSnapshot(result.room.pk);
      layout = result.room.layout;
      audienceUrls = { ...audienceUrls, ...result.room.audienceUrls };
      layoutVersion += 1;
      render();
    },
    () => undefined,
  );
}

function setMuted(next: boolean): void {
  muted = next;
  soundButton.textContent = muted ? t('viewer.soundOn') : t('viewer.soundOff');
  for (const tile of tiles.values()) {
    if (!muted) void tile.player.resume();
    place(tile);
  }
  updateStatus();
}

function setup(): void {
  document.documentElement.lang = locale;
  document.title = t('viewer.title', { room });
  byId('volume-text').textContent = t('viewer.volume');
  unmuteButton.textContent = t('viewer.clickForSound');
  fullscreenButton.textContent = t('viewer.fullscreen');
  soundButton.textContent = t('viewer.soundOn');
  soundButton.addEventListener('click', () => setMuted(!muted));
  unmuteButton.addEventListener('click', () => setMuted(false));
  volumeInput.addEventListener('input', () => {
    for (const tile of tiles.values()) place(tile);
  });
  fullscreenButton.addEventListener('click', () => {
    if (document.fullscreenElement) void document.exitFullscreen();
    else void stage.requestFullscreen().catch(() => undefined);
  });
  document.addEventListener('fullscreenchange', () => {
    fullscreenButton.textContent = document.fullscreenElement ? t('viewer.exitFullscreen') : t('viewer.fullscreen');
  });
  if (!LowLatencyPlayer.isSupported()) {
    stage.dataset.state = 'offline';
    overlay.textContent = t('viewer.unsupported');
    return;
  }
  updateStatus();
  void refreshInfo();
  setInterval(() => void refreshInfo(), INFO_POLL_MS);
}

/** For tests and embedding: what is on the stage. */
(window as unknown as { linkmicViewer: unknown }).linkmicViewer = {
  snapshot: () => ({
    state: stage.dataset.state,
    mixed: info?.mixed ?? false,
    layoutVersion,
    /** Joined the room through signalling (layout, PK battle). */
    joined,
    tiles: [...tiles.values()].map((tile) => ({ streamCode: tile.spec.streamCode, rect: tile.spec.rect, state: tile.state, framesDrawn: tile.player.stats().framesDrawn })),
    battle: battle.snapshot(),
  }),
};

setup();
