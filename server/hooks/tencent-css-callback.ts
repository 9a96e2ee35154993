// Tencent Cloud CSS (云直播) stream-state callbacks: a JSON POST, event_type 1 (push started) or
// 0 (push ended), with appid, appname (the RTMP app), stream_id, stream_param (the push URL's
// query), user_ip, node, t and sign = md5(callbackKey + t), t being the signature's expiry.
// Notification only: CSS cannot be told to refuse, so the decision is recorded (a `refused`
// event, the counters) and the answer is always 200 once the signature holds.
import { z } from 'zod';
import { LinkMicError, ValidationError, constantTimeEqual, md5Hex, parseQuery } from '../../common';
import type { HookEvent } from './hook-event';

const text = z.string().max(2048);
const tencentCallbackSchema = z.looseObject({
  event_type: z.number().int(),
  appid: z.union([z.number(), text]).optional(),
  appname: text.optional(),
  app: text.optional(),
  stream_id: text,
  stream_param: text.default(''),
  user_ip: text.default(''),
  t: z.union([z.number().int(), text.regex(/^\d{1,12}$/)]),
  sign: text,
});

/**
 * Verifies and parses one callback. Returns undefined for event types other than push start/stop
 * (recording, snapshots: acknowledged and ignored). Throws SIGNATURE_* or INVALID_MESSAGE.
 */
export function parseTencentCssCallback(body: unknown, callbackKey: string, nowUnixSec: number): HookEvent | undefined {
  const result = tencentCallbackSchema.safeParse(body);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const field = issue.path.map(String).join('.') || 'body';
    throw new ValidationError('INVALID_MESSAGE', field, `Tencent CSS callback: ${field}: ${issue.message}`);
  }
  const callback = result.data;
  const t = String(callback.t);
  if (!constantTimeEqual(md5Hex(callbackKey + t), callback.sign.toLowerCase())) {
    throw new LinkMicError('SIGNATURE_INVALID', 'callback sign does not match md5(callbackKey + t)', { field: 'sign' });
  }
  if (!(Number(t) > nowUnixSec)) throw new LinkMicError('SIGNATURE_EXPIRED', `callback t ${t} has passed`, { field: 't' });
  if (callback.event_type !== 0 && callback.event_type !== 1) return undefined;
  return {
    dialect: 'tencent-css',
    node: callback.appid === undefined ? 'css' : String(callback.appid),
    action: callback.event_type === 1 ? 'publish' : 'publish_done',
    app: callback.appname ?? 'live',
    stream: callback.stream_id,
    args: parseQuery(callback.stream_param),
    // CSS itself keeps one push per stream id: the stream id names the push.
    clientId: callback.stream_id,
    ip: callback.user_ip,
    isRelay: false,
    notifyOnly: true,
  };
}
