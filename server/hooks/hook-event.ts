// One shape for every external origin's HTTP hook (nginx-rtmp, SRS, Tencent CSS stream-state
// callbacks): each dialect parses its request into a HookEvent and the one decision path
// (hook-decider.ts) answers it. Formats: ../shared/design/cluster-hooks.md and docs/deploy.md.
import type { ErrorPayload } from '../../common';

export const HOOK_DIALECTS = ['nginx-rtmp', 'srs', 'tencent-css'] as const;
export type HookDialect = (typeof HOOK_DIALECTS)[number];

/**
 * `publish` / `play` start a stream or a play (refusable, except from Tencent CSS, which only
 * notifies); `update_*` are nginx-rtmp's periodic checks of a running one (txTime expiry, lease
 * renewal); `*_done` end one (their answer is ignored by every origin).
 */
export type HookAction = 'publish' | 'play' | 'update_publish' | 'update_play' | 'publish_done' | 'play_done';

export interface HookEvent {
  readonly dialect: HookDialect;
  /** The media server that called: a name from the hook URL, SRS's server_id, Tencent's appid. */
  readonly node: string;
  readonly action: HookAction;
  /** RTMP application (`live`). */
  readonly app: string;
  /** Stream name (the stream code), without its query. */
  readonly stream: string;
  /** The stream URL's query: mix, session_id, txSecret, txTime (first occurrence wins). */
  readonly args: ReadonlyMap<string, string>;
  /** The media server's id of the connection: with `node`, it names who holds a lock or a slot. */
  readonly clientId: string;
  /** Address of the encoder or player as the media server saw it. */
  readonly ip: string;
  /**
   * A server-to-server relay (an edge pulling from the origin, the edge's local publish of the
   * pulled stream), recognised by the dialect from markers the operator configured: allowed, and
   * neither a stream-code lock nor a link slot.
   */
  readonly isRelay: boolean;
  /** The dialect cannot refuse (Tencent CSS notifications): the decision is recorded only. */
  readonly notifyOnly?: boolean;
}

export type HookDecision =
  | { readonly allow: true; readonly kind: 'publish' | 'link' | 'audience' | 'relay' | 'renewed' | 'ended' }
  | { readonly allow: false; readonly error: ErrorPayload };
