// SRS http_hooks dialect (v4-v7, srs_app_http_hooks.cpp): a JSON POST with action on_publish |
// on_unpublish | on_play | on_stop, client_id, ip, vhost, app, stream, param ("?txSecret=…"),
// server_id, tcUrl, pageUrl. Reply: 200 with {"code":0} allows; anything else refuses. SRS edges
// pull from the origin with the first player's own query, so an edge is recognised by its address
// (or the pageUrl marker), never by the query.
import { z } from 'zod';
import { ValidationError, parseQuery } from '../../common';
import type { HookAction, HookEvent } from './hook-event';
import type { RelayMarkers } from './relay-markers';

const ACTIONS: Readonly<Record<string, HookAction>> = {
  on_publish: 'publish',
  on_unpublish: 'publish_done',
  on_play: 'play',
  on_stop: 'play_done',
};

const text = z.string().max(1024);
const srsHookSchema = z.looseObject({
  action: text,
  client_id: z.union([text, z.number()]),
  ip: text.default(''),
  app: text,
  stream: text,
  param: text.default(''),
  server_id: text.optional(),
  pageUrl: text.optional(),
});

/** Parses one SRS hook body; throws ValidationError INVALID_MESSAGE naming the field. */
export function parseSrsHook(pathNode: string | undefined, body: unknown, relays: RelayMarkers): HookEvent {
  const result = srsHookSchema.safeParse(body);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const field = issue.path.map(String).join('.') || 'body';
    throw new ValidationError('INVALID_MESSAGE', field, `SRS hook: ${field}: ${issue.message}`);
  }
  const hook = result.data;
  const action = ACTIONS[hook.action];
  if (action === undefined) throw new ValidationError('INVALID_MESSAGE', 'action', `SRS action "${hook.action}" is not handled: configure on_publish, on_unpublish, on_play and on_stop`);
  const isPlay = action === 'play' || action === 'play_done';
  return {
    dialect: 'srs',
    node: pathNode ?? hook.server_id ?? 'srs',
    action,
    app: hook.app,
    stream: hook.stream,
    args: parseQuery(hook.param),
    clientId: String(hook.client_id),
    ip: hook.ip,
    isRelay: isPlay && relays.isRelayPlay(hook.pageUrl, hook.ip),
  };
}
