// The server session: the studio's connection to a link-mic server (the embedded LinkMicServer on
// 127.0.0.1 by default, or a remote one with its stored token), the ServerState the console shows,
// and the signalling port every request goes through. On connect the room mirror follows the
// server's events and takes the state the server still holds for us (again after each reconnect);
// on disconnect it is cleared.
import { LinkMicError, toErrorPayload, type ErrorPayload } from '../../common/errors';
import { BATTLE_DURATIONS_SEC } from '../../common/signal/pk-battle';
import type { ServerState, StudioSettings } from '../../common/studio-api';
import { DisposableStore } from '../../common/typed-emitter';
import type { SecretStore } from '../settings/secret-store';
import type { CoreLogger, ServerConnection, ServerConnector, SignalPort } from './ports';
import type { RoomMirror } from './room-mirror';

/** The secret key under which a remote profile's token is stored. */
export function remoteTokenKey(httpUrl: string, userId: string): string {
  return `remote-token:${userId}@${httpUrl}`;
}

/** The user id the studio signs in as for a server profile. */
export function serverUserId(settings: StudioSettings): string {
  return settings.server.kind === 'remote' ? settings.server.userId : settings.userId;
}

export interface ServerSessionOptions {
  readonly connectServer: ServerConnector;
  readonly secrets: SecretStore;
  readonly mirror: RoomMirror;
  readonly logger: CoreLogger;
  readonly closing: () => boolean;
  readonly changed: () => void;
  readonly report: (context: string, error: ErrorPayload) => void;
}

export class ServerSession {
  private connection: ServerConnection | null = null;
  private subscriptions = new DisposableStore();
  private serverState: ServerState;

  constructor(private readonly options: ServerSessionOptions) {
    this.serverState = {
      kind: 'embedded',
      status: 'stopped',
      httpUrl: null,
      rtmpUrl: null,
      signal: 'disconnected',
      userId: '',
      hasToken: false,
      secretsEncrypted: options.secrets.encrypted,
      lastError: null,
      battleDurationsSec: [...BATTLE_DURATIONS_SEC],
    };
  }

  get state(): ServerState {
    return { ...this.serverState };
  }

  /** Settings loaded: the profile kind and user id to show before the first connect. */
  describe(settings: StudioSettings): void {
    this.serverState = { ...this.serverState, kind: settings.server.kind, userId: serverUserId(settings) };
  }

  /** The signalling port; SERVER_UNREACHABLE (or the connect failure's code) while not connected. */
  signal(): SignalPort {
    if (!this.connection) {
      const code = this.serverState.status === 'error' ? (this.serverState.lastError?.code ?? 'SERVER_UNREACHABLE') : 'SERVER_UNREACHABLE';
      throw new LinkMicError(code, 'not connected to a link-mic server');
    }
    return this.connection.signal;
  }

  /** Starts (embedded) or reaches (remote) the server of the settings' profile and signs in; rejects when that fails (also reported). */
  async connect(settings: StudioSettings): Promise<void> {
    const profile = settings.server;
    const userId = serverUserId(settings);
    const token = profile.kind === 'remote' ? await this.options.secrets.get(remoteTokenKey(profile.httpUrl, profile.userId)) : null;
    this.serverState = { ...this.serverState, kind: profile.kind, status: 'starting', signal: 'connecting', userId, hasToken: token !== null, lastError: null, httpUrl: null, rtmpUrl: null };
    this.options.changed();
    let connection: ServerConnection;
    try {
      connection = await this.options.connectServer({ profile, userId, token });
    } catch (error) {
      const payload = toErrorPayload(error);
      this.serverState = { ...this.serverState, status: 'error', signal: 'disconnected', lastError: payload };
      this.options.report('server', payload);
      this.options.changed();
      throw error;
    }
    if (this.options.closing()) {
      await connection.close();
      return;
    }
    this.connection = connection;
    this.serverState = { ...this.serverState, status: 'running', signal: 'connected', httpUrl: connection.httpUrl, rtmpUrl: connection.rtmpUrl, battleDurationsSec: [...(connection.signal.battleDurationsSec ?? BATTLE_DURATIONS_SEC)] };
    this.follow(connection.signal);
    if (connection.signal.initialState) this.options.mirror.applyUserState(connection.signal.initialState);
    this.options.changed();
  }

  /** Closes the connection (and the embedded server); the mirror forgets the server's state. */
  async disconnect(): Promise<void> {
    this.subscriptions.dispose();
    this.subscriptions = new DisposableStore();
    const connection = this.connection;
    this.connection = null;
    this.serverState = { ...this.serverState, status: 'stopped', signal: 'disconnected', httpUrl: null, rtmpUrl: null };
    this.options.mirror.clear();
    await connection?.close().catch((error: unknown) => this.options.logger.warn('closing the server connection failed', { error: String(error) }));
  }

  private follow(signal: SignalPort): void {
    this.subscriptions.add(
      signal.onStatus((status, error) => {
        this.serverState = { ...this.serverState, signal: status, lastError: error ?? this.serverState.lastError };
        if (error) this.options.report('signal', error);
        this.options.changed();
      }),
    );
    this.subscriptions.add(this.options.mirror.follow(signal));
    // After every reconnect, resumed or not: the server's rooms, links and PK (its battle too) as they are now.
    this.subscriptions.add(
      signal.onReconnected((hello) => {
        if (hello.battleDurationsSec) this.serverState = { ...this.serverState, battleDurationsSec: [...hello.battleDurationsSec] };
        this.options.mirror.refreshUserState(hello.state, hello.resumed, hello.serverTime);
        void this.refreshWatchedRooms(signal, hello.serverTime);
      }),
    );
  }

  /**
   * The rooms joined as a viewer, read again after a reconnect: a PK battle they are in may have
   * moved on while we were away (votes, result, rematch), and `hello` carries only our own PK.
   * `room.join` is idempotent; a room that is gone is reported by the SignalClient's own rejoin.
   */
  private async refreshWatchedRooms(signal: SignalPort, serverTime: number): Promise<void> {
    for (const roomId of this.options.mirror.snapshot().joinedRooms) {
      try {
        const { room } = await signal.request('room.join', { roomId });
        this.options.mirror.refreshWatchedRoom(room, serverTime);
      } catch (error) {
        this.options.logger.warn('reading a watched room again after a reconnect failed', { roomId, error: String(error) });
      }
    }
  }
}
