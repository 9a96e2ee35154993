// The one place that touches node-media-server's internals (4.4.3, pinned). The adapter never
// constructs NodeMediaServer itself: that class forces debug console logging (pitfall 9), opens a
// store in ./data (pitfall 8), exits the process on EADDRINUSE and ignores port 0 (pitfall 1), and
// its WebSocket server would swallow every upgrade on the shared HTTP port. We keep NMS's protocol,
// session and broadcast classes and own the listeners, the policy and the lifecycle around them.
import Context from 'node-media-server/src/core/context.js';
import nmsLogger from 'node-media-server/src/core/logger.js';
import RtmpSession from 'node-media-server/src/session/rtmp_session.js';
import FlvSession from 'node-media-server/src/session/flv_session.js';
import Rtmp from 'node-media-server/src/protocol/rtmp.js';
import Flv from 'node-media-server/src/protocol/flv.js';
import type BaseSession from 'node-media-server/src/session/base_session.js';
import type BroadcastServer from 'node-media-server/src/server/broadcast_server.js';
import type { Logger } from '../../node/logger';

export { Context, RtmpSession, FlvSession, Rtmp, Flv };
export type { BaseSession, BroadcastServer };

// NMS logs through one process-global logger with console.log. Route it into the pino logger of
// the most recently started origin still running (NMS messages carry their session ids), one level
// below NMS's own: its "info" lines are per-connection chatter.
const sinks: Logger[] = [];
const LEVEL_MAP: Record<string, 'trace' | 'debug' | 'warn'> = { trace: 'trace', debug: 'trace', info: 'debug', warn: 'warn', error: 'warn' };

nmsLogger.level = 'trace';
nmsLogger.log = (message: string, level = 'info') => {
  const sink = sinks[sinks.length - 1];
  if (!sink) return;
  sink[LEVEL_MAP[level] ?? 'debug']({ nms: true }, message);
};

/** Sends NMS's log lines to `logger` until the returned function is called. */
export function attachNmsLogger(logger: Logger): () => void {
  sinks.push(logger);
  return () => {
    const index = sinks.lastIndexOf(logger);
    if (index >= 0) sinks.splice(index, 1);
  };
}

let instanceSeq = 0;
/**
 * NMS keys its process-global broadcasts by "/app/name". Each origin runs under its own internal
 * app name so two origins in one process (or one started after another was stopped) never share
 * a stream.
 */
export function nextInternalApp(): string {
  instanceSeq += 1;
  return `lm${process.pid}x${instanceSeq}`;
}

/** Removes every session and broadcast NMS still holds for `internalApp` (pitfall 3). */
export function sweepNmsState(internalApp: string, sessionIds: Iterable<string>): { sessions: number; broadcasts: number } {
  let sessions = 0;
  let broadcasts = 0;
  for (const id of sessionIds) if (Context.sessions.delete(id)) sessions += 1;
  for (const [id, session] of Context.sessions) {
    if (session.streamApp === internalApp) {
      Context.sessions.delete(id);
      sessions += 1;
    }
  }
  const prefix = `/${internalApp}/`;
  for (const path of [...Context.broadcasts.keys()]) {
    if (path.startsWith(prefix)) {
      Context.broadcasts.delete(path);
      broadcasts += 1;
    }
  }
  return { sessions, broadcasts };
}

/** Counts what NMS holds for `internalApp` (tests check it is zero after close). */
export function nmsStateOf(internalApp: string): { sessions: number; broadcasts: number } {
  let sessions = 0;
  for (const session of Context.sessions.values()) if (session.streamApp === internalApp) sessions += 1;
  let broadcasts = 0;
  for (const path of Context.broadcasts.keys()) if (path.startsWith(`/${internalApp}/`)) broadcasts += 1;
  return { sessions, broadcasts };
}

/** Pitfall 4: finish an ended publish at once instead of holding it 30 s for a "resume". */
export function disablePublishGrace(broadcast: BroadcastServer): void {
  broadcast.publishGraceMs = 0;
  broadcast.donePublish = (publisher) => {
    if (publisher !== broadcast.publisher) return;
    publisher.endTime = Date.now();
    broadcast._finishPublish();
  };
}

/** NMS broadcasts whose methods this module has wrapped (a broadcast can outlive a publish). */
const patchedBroadcasts = new WeakSet<BroadcastServer>();

/**
 * Pitfall 10: NMS's FLV header always flags audio, and some players wait for ever for audio a
 * video-only stream never sends. Once the publisher's metadata names its codecs, the header
 * sent to later players flags only the tracks the stream has.
 */
export function flagTracksFromMetadata(broadcast: BroadcastServer): void {
  broadcast.flvHeader = Flv.createHeader(true, true);
  if (patchedBroadcasts.has(broadcast)) return;
  patchedBroadcasts.add(broadcast);
  const broadcastMessage = broadcast.broadcastMessage;
  broadcast.broadcastMessage = (packet) => {
    broadcastMessage(packet);
    const publisher = broadcast.publisher;
    if (packet.flags === 5 && publisher) {
      const hasAudio = Boolean(publisher.audioCodec);
      const hasVideo = Boolean(publisher.videoCodec);
      if (hasAudio || hasVideo) broadcast.flvHeader = Flv.createHeader(hasAudio, hasVideo);
    }
  };
}
