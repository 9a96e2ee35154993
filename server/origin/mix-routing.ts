// [mixer] audience → server-mix routing (server/mixer, docs/mixer.md): which NMS stream a granted
// play is served from, and the stream codes reserved for the mixer's own outputs.
import { LinkMicError, constantTimeEqual } from '../../common';
import type { OriginOptions } from './origin-options';
import type { PlayGrant } from './origin-policy';

/** Stream codes ending so are the mixer's outputs: only an `internal=<token>` publish may use them. */
export const INTERNAL_STREAM_SUFFIX = '__mix';

export class MixRouting {
  constructor(private readonly options: Pick<OriginOptions, 'internalToken' | 'audienceSource'>) {}

  /**
   * The NMS stream a granted play is bound to: an audience play (no session_id) of a stream with
   * a running server mix gets the mix; link plays and the server's own internal pulls get the
   * original. The play is still recorded (and ends) under the stream code it asked for.
   */
  playSource(grant: PlayGrant, query: ReadonlyMap<string, string>): string {
    if (grant.sessionId !== undefined || this.isInternal(query)) return grant.streamCode;
    return this.options.audienceSource?.(grant.streamCode) ?? grant.streamCode;
  }

  /** Throws NOT_ALLOWED for a publish of a reserved mixer output name without the internal token. */
  assertPublishAllowed(streamCode: string, query: ReadonlyMap<string, string>): void {
    if (streamCode.endsWith(INTERNAL_STREAM_SUFFIX) && !this.isInternal(query)) {
      throw new LinkMicError('NOT_ALLOWED', `stream codes ending in ${INTERNAL_STREAM_SUFFIX} are reserved for the server-side mixer`, { field: 'streamCode' });
    }
  }

  /** The query carries this server's internal token (constant-time comparison). */
  private isInternal(query: ReadonlyMap<string, string>): boolean {
    const token = this.options.internalToken;
    const given = query.get('internal');
    return token !== undefined && given !== undefined && constantTimeEqual(given, token);
  }
}
