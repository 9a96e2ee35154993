// RTMP admission: every RTMP connection is checked against the link-mic policy before NMS sees a
// publish or a play (pitfalls 5, 6, 13, 14 of ../shared/design/node-media-server-notes.md):
//  - every parse path of the connection runs guarded (rtmp-guard.ts): malformed input, or a
//    handshake / publish-or-play that misses its deadline (`handshakeTimeoutMs`,
//    `commandTimeoutMs`, counted from connecting), drops that peer with a logged reason;
//  - an accepted publish is handed to NMS under the origin's internal app, its publish grace is
//    disabled and its FLV header follows the tracks the metadata names; a publisher that sends
//    nothing for `publisherIdleTimeoutMs` is dropped (`timeout`);
//  - a refusal is an RTMP error status sent instead of NetStream.Publish.Start (BadName with a
//    description "CODE: reason"), the socket stops being read and is destroyed.
import type net from 'node:net';
import { LinkMicError, parseQuery } from '../../common';
import { Context, Rtmp, RtmpSession, disablePublishGrace, flagTracksFromMetadata } from './nms-bridge';
import type { PlayGrant, PublishGrant } from './origin-policy';
import type { OriginShared, RtmpConnection, StreamRecord } from './origin-records';
import type { OriginEvents } from './origin-types';
import { countRefusal } from './origin-refusals';
import { DEFAULT_RTMP_GUARD_LIMITS, RtmpGuard, type RtmpDropPhase } from './rtmp-guard';

const REFUSE_DESTROY_FALLBACK_MS = 1000;

export class RtmpAdmission {
  /** Open RTMP connections (pending, publishing, playing or being refused). */
  readonly connections = new Set<RtmpConnection>();

  constructor(private readonly shared: OriginShared) {}

  /** The listener's connection handler. */
  onConnection(socket: net.Socket): void {
    const shared = this.shared;
    if (!shared.isRunning()) {
      socket.destroy();
      return;
    }
    socket.setNoDelay(true);
    const session = new RtmpSession(socket);
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    const connection: RtmpConnection = { session, closed, role: 'pending' };
    session.rtmp.onPublish = (message) => this.onPublish(connection, message);
    session.rtmp.onPlay = (message) => this.onPlay(connection, message);
    // Every parse path of this peer runs guarded: malformed input drops this peer only.
    connection.guard = new RtmpGuard(
      session,
      {
        ...DEFAULT_RTMP_GUARD_LIMITS,
        ...shared.options.rtmpLimits,
        handshakeTimeoutMs: shared.options.handshakeTimeoutMs,
        commandTimeoutMs: shared.options.commandTimeoutMs,
      },
      { role: () => connection.role, onDrop: (error, phase) => this.onDrop(connection, error, phase) },
    );
    session.run();
    Context.sessions.set(session.id, session);
    shared.nmsSessionIds.add(session.id);
    this.connections.add(connection);
    socket.on('timeout', () => {
      if (connection.role === 'publisher') {
        shared.counters.publishersTimedOut += 1;
        connection.endReason ??= 'timeout';
        shared.log.info({ streamCode: connection.streamCode, remote: session.ip }, 'publisher sent nothing: dropped');
      } else {
        shared.log.debug({ remote: session.ip, role: connection.role }, 'idle RTMP connection dropped');
      }
      socket.destroy();
    });
    // Registered after the session's own close handler, so NMS has finished with it.
    socket.once('close', () => {
      connection.guard?.dispose();
      this.connections.delete(connection);
      shared.nmsSessionIds.delete(session.id);
      Context.sessions.delete(session.id);
      if (connection.role === 'publisher') this.onPublisherGone(connection);
      else if (connection.role === 'player' && connection.playId !== undefined) shared.plays.finish(connection.playId);
    });
  }

  /** A guarded parse path or a deadline dropped this peer (rtmp-guard.ts): count and log why. */
  private onDrop(connection: RtmpConnection, error: LinkMicError, phase: RtmpDropPhase): void {
    const counters = this.shared.counters;
    counters.rtmpPeersDropped[error.code] = (counters.rtmpPeersDropped[error.code] ?? 0) + 1;
    this.shared.log.info(
      { remote: connection.session.ip, code: error.code, reason: error.message, phase, role: connection.role, streamCode: connection.streamCode },
      'RTMP peer dropped',
    );
  }

  /** Splits an RTMP app and stream name (either may carry the query) into app, code and query. */
  private static splitTarget(rawApp: string, rawName: string): { app: string; streamCode: string; query: Map<string, string>; rawQuery: string } {
    const appQueryAt = rawApp.indexOf('?');
    const app = (appQueryAt < 0 ? rawApp : rawApp.slice(0, appQueryAt)).replace(/\/+$/, '');
    const appQuery = appQueryAt < 0 ? '' : rawApp.slice(appQueryAt + 1);
    const nameQueryAt = rawName.indexOf('?');
    const streamCode = nameQueryAt < 0 ? rawName : rawName.slice(0, nameQueryAt);
    const nameQuery = nameQueryAt < 0 ? '' : rawName.slice(nameQueryAt + 1);
    const rawQuery = [nameQuery, appQuery].filter((part) => part !== '').join('&');
    return { app, streamCode, query: parseQuery(rawQuery), rawQuery };
  }

  private onPublish(connection: RtmpConnection, message: Parameters<Rtmp['onPublish']>[0]): void {
    const shared = this.shared;
    const { session } = connection;
    const rtmp = session.rtmp;
    const rawName = typeof message.streamName === 'string' ? message.streamName : '';
    let grant: PublishGrant;
    let rawQuery: string;
    let streamCode = rawName.split('?')[0] ?? '';
    try {
      if (!shared.isRunning()) throw new LinkMicError('INVALID_STATE', 'the origin is closing');
      if (connection.role !== 'pending') throw new LinkMicError('INVALID_STATE', 'this connection already publishes or plays');
      const target = RtmpAdmission.splitTarget(String(rtmp.streamApp ?? ''), rawName);
      streamCode = target.streamCode;
      rawQuery = target.rawQuery;
      grant = shared.policy.decide('publish', { app: target.app, streamCode, query: target.query }, shared.policyState);
      // [mixer] reserved output names of the server-side mixer
      shared.routing.assertPublishAllowed(streamCode, target.query);
    } catch (error) {
      this.refuse(connection, 'publish', streamCode, error);
      return;
    }
    connection.role = 'publisher';
    connection.streamCode = grant.streamCode;
    const record: StreamRecord = { streamCode: grant.streamCode, grant, connection, startedAt: Date.now(), lastBytes: 0, lastSampleAt: Date.now(), bitrateKbps: 0 };
    shared.streams.set(grant.streamCode, record);
    // Hand the publish to NMS under this origin's internal app: it answers Publish.Start, binds
    // the session to the broadcast and makes it the publisher.
    rtmp.streamApp = shared.internalApp;
    Rtmp.prototype.onPublish.call(rtmp, { ...message, streamName: rawQuery === '' ? grant.streamCode : `${grant.streamCode}?${rawQuery}` });
    if (session.broadcast.publisher !== session) {
      shared.log.error({ streamCode: grant.streamCode }, 'NMS did not make the accepted session the publisher');
      connection.endReason = 'kicked';
      session.socket.destroy();
      return;
    }
    connection.guard?.settle();
    disablePublishGrace(session.broadcast);
    flagTracksFromMetadata(session.broadcast);
    session.socket.setTimeout(shared.options.publisherIdleTimeoutMs);
    shared.counters.publishAccepted += 1;
    shared.log.info({ streamCode: grant.streamCode, sessionId: grant.sessionId, layer: grant.layer, templateId: grant.templateId, remote: session.ip }, 'publish');
    const event: { -readonly [K in keyof OriginEvents['publish']]: OriginEvents['publish'][K] } = {
      streamCode: grant.streamCode,
      sessionKey: session.id,
      protocol: 'rtmp',
      remote: session.ip,
      startedAt: record.startedAt,
    };
    if (grant.sessionId !== undefined) event.sessionId = grant.sessionId;
    if (grant.layer !== undefined) event.layer = grant.layer;
    if (grant.templateId !== undefined) event.templateId = grant.templateId;
    shared.events.emit('publish', event);
  }

  private onPublisherGone(connection: RtmpConnection): void {
    const shared = this.shared;
    const streamCode = connection.streamCode;
    if (streamCode === undefined) return;
    const record = shared.streams.get(streamCode);
    if (!record || record.connection !== connection) return;
    shared.streams.delete(streamCode);
    const reason = connection.endReason ?? 'closed';
    shared.log.info({ streamCode, reason }, 'unpublish');
    shared.events.emit('unpublish', { streamCode, sessionKey: connection.session.id, reason });
    if (shared.options.closePlayersOnUnpublish) {
      for (const play of shared.plays.values()) {
        if (play.streamCode !== streamCode) continue;
        play.endReason ??= reason === 'server-closed' ? 'server-closed' : 'unpublished';
        play.destroy();
      }
    }
  }

  private onPlay(connection: RtmpConnection, message: Parameters<Rtmp['onPlay']>[0]): void {
    const shared = this.shared;
    const { session } = connection;
    const rtmp = session.rtmp;
    const rawName = typeof message.streamName === 'string' ? message.streamName : '';
    let streamCode = rawName.split('?')[0] ?? '';
    let grant: PlayGrant;
    let rawQuery: string;
    let source: string; // [mixer]
    try {
      if (!shared.isRunning()) throw new LinkMicError('INVALID_STATE', 'the origin is closing');
      if (connection.role !== 'pending') throw new LinkMicError('INVALID_STATE', 'this connection already publishes or plays');
      const target = RtmpAdmission.splitTarget(String(rtmp.streamApp ?? ''), rawName);
      streamCode = target.streamCode;
      rawQuery = target.rawQuery;
      grant = shared.policy.decide('play', { app: target.app, streamCode, query: target.query }, shared.policyState);
      source = shared.routing.playSource(grant, target.query); // [mixer]
    } catch (error) {
      this.refuse(connection, 'play', streamCode, error);
      return;
    }
    connection.role = 'player';
    connection.guard?.settle();
    session.socket.setTimeout(0); // a player legitimately sends nothing
    const play = shared.plays.open(grant, 'rtmp', session.ip, {
      backlog: () => session.socket.writableLength,
      destroy: () => session.socket.destroy(),
      closed: connection.closed,
    });
    connection.playId = play.playId;
    shared.plays.attachPlayer(play, session);
    rtmp.streamApp = shared.internalApp;
    Rtmp.prototype.onPlay.call(rtmp, { ...message, streamName: rawQuery === '' ? source : `${source}?${rawQuery}` });
    shared.plays.endBurst(play);
    shared.plays.announce(play);
  }

  /**
   * Pitfalls 13/14: answer with an RTMP error status instead of Publish.Start, stop reading, and
   * destroy the socket once the status is flushed: the session never reaches NMS's broadcast.
   */
  private refuse(connection: RtmpConnection, action: 'publish' | 'play', streamCode: string, error: unknown): void {
    const shared = this.shared;
    const { session } = connection;
    const socket = session.socket;
    const payload = countRefusal(shared, action, 'rtmp', streamCode, session.ip, error);
    connection.role = 'refused';
    socket.removeListener('data', session.onData);
    const statusCode = action === 'publish' ? 'NetStream.Publish.BadName' : 'NetStream.Play.Failed';
    try {
      session.rtmp.sendStatusMessage(session.rtmp.parserPacket.header.stream_id, 'error', statusCode, `${payload.code}: ${payload.message}`);
    } catch (sendError) {
      shared.log.debug({ err: sendError }, 'could not send the refusal status');
    }
    const timer = setTimeout(() => socket.destroy(), REFUSE_DESTROY_FALLBACK_MS);
    timer.unref();
    shared.timers.add(timer);
    socket.once('close', () => {
      clearTimeout(timer);
      shared.timers.delete(timer);
    });
    socket.end(() => socket.destroy());
  }
}
