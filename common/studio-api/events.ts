// Events StudioCore emits to every console (window.studio.on / the web bridge), by name.
import type { ErrorPayload } from '../errors';
import type { Layout } from '../layout';
import type { StudioSettings } from './inputs';
import type { StudioEventName } from './names';
import type { LinkRequestView, LinkView, LiveStatus, PkBattleView, PkInviteView, PkView, PushStats, StudioState } from './state';

export type StudioEvents = {
  /** The whole snapshot, after any change (coalesced). */
  state: StudioState;
  /** Push statistics, about twice a second while live. */
  stats: PushStats;
  /** The push changed status; `attempt` counts reconnects (OBS-style reconnect / reconnect_success). */
  push: { status: LiveStatus; attempt: number; error: ErrorPayload | null };
  /** Someone asks to link into our room (incoming), or our request was registered (outgoing). */
  linkRequest: LinkRequestView;
  /** A pending request ended without a link. */
  linkRequestEnded: { requestId: string; roomId: string; outcome: 'rejected' | 'cancelled' | 'timeout' | 'room-closed' | 'disconnected'; reason: string | null };
  linkStarted: LinkView;
  linkEnded: { linkId: string; roomId: string; reason: 'hangup' | 'kicked' | 'media-lost' | 'no-media' | 'disconnected' | 'room-closed'; by: string | null };
  pkInvite: PkInviteView;
  pkInviteEnded: { pkId: string; outcome: 'rejected' | 'cancelled' | 'timeout' | 'room-closed' | 'disconnected'; reason: string | null };
  pkStarted: PkView;
  pkEnded: { pkId: string; reason: 'ended' | 'finished' | 'media-lost' | 'disconnected' | 'room-closed'; by: string | null };
  /** A PK battle (ours or a joined room's) started, its scores changed, it entered the result phase, or a rematch was asked. */
  pkBattle: PkBattleView;
  layout: { roomId: string; layout: Layout; audienceUrls: Readonly<Record<string, string>> };
  settings: StudioSettings;
  /** Something failed outside a method call (push died, signal lost, audio frame refused…). */
  error: ErrorPayload & { context: string };
};

// Compile-time check: the event map has exactly the names of the list (names.ts).
type MissingEvent = Exclude<StudioEventName, keyof StudioEvents>;
type ExtraEvent = Exclude<keyof StudioEvents, StudioEventName>;
const _eventsMatch: [MissingEvent, ExtraEvent] extends [never, never] ? true : [MissingEvent, ExtraEvent] = true;
void _eventsMatch;
