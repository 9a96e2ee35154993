// nginx-rtmp (libnginx-mod-rtmp) notify dialect: on_publish, on_play, on_update, on_publish_done,
// on_play_done as an HTTP/1.0 form POST (or the query of a GET with `notify_method get`):
//   app, flashver, swfurl, tcurl, pageurl, addr, clientid, call=publish|play|update_publish|
//   update_play|publish_done|play_done, name, type | start, duration, reset | time, timestamp,
// then the stream name's own query appended raw (first occurrence wins, so a stream URL cannot
// override the fixed fields). Reply: 2xx allows, anything else refuses (with
// `notify_update_strict on`, drops a running stream on update); *_done replies are ignored.
// Relays: the edge's local publish of a pulled stream has flashver `ngx-local-relay` and, as
// addr, the URL it pulls from (never a peer address); the edge's pull on the origin carries the
// operator's pageUrl marker.
import { ValidationError, parseQuery } from '../../common';
import type { HookAction, HookEvent } from './hook-event';
import type { RelayMarkers } from './relay-markers';

const CALLS: Readonly<Record<string, HookAction>> = {
  publish: 'publish',
  play: 'play',
  update_publish: 'update_publish',
  update_play: 'update_play',
  publish_done: 'publish_done',
  play_done: 'play_done',
};

export const NGINX_LOCAL_RELAY_FLASHVER = 'ngx-local-relay';

/** Parses one nginx-rtmp notification; throws ValidationError INVALID_MESSAGE naming the field. */
export function parseNginxRtmpHook(node: string, form: string, relays: RelayMarkers): HookEvent {
  const fields = parseQuery(form);
  const call = fields.get('call') ?? '';
  const action = CALLS[call];
  if (action === undefined) {
    throw new ValidationError('INVALID_MESSAGE', 'call', `nginx-rtmp call "${call}" is not handled: configure on_publish, on_play, on_update, on_publish_done and on_play_done`);
  }
  const clientId = fields.get('clientid') ?? '';
  if (!/^\d{1,20}$/.test(clientId)) throw new ValidationError('INVALID_MESSAGE', 'clientid', 'nginx-rtmp clientid must be a number');
  const addr = fields.get('addr') ?? '';
  const localRelay = fields.get('flashver') === NGINX_LOCAL_RELAY_FLASHVER && addr.includes('/');
  const isPlay = action === 'play' || action === 'update_play' || action === 'play_done';
  const isRelay = localRelay || (isPlay && relays.isRelayPlay(fields.get('pageurl'), addr));
  return {
    dialect: 'nginx-rtmp',
    node,
    action,
    app: fields.get('app') ?? '',
    stream: fields.get('name') ?? '',
    args: fields,
    clientId,
    ip: addr,
    isRelay,
  };
}
