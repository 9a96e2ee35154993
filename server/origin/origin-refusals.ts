// One refusal, whatever the protocol: counted by code, logged, emitted as `refused`.
import { toErrorPayload, type ErrorPayload, type PlayProtocol } from '../../common';
import type { OriginShared } from './origin-records';

export function countRefusal(
  shared: OriginShared,
  action: 'publish' | 'play',
  protocol: PlayProtocol,
  streamCode: string,
  remote: string,
  error: unknown,
): ErrorPayload {
  const payload = toErrorPayload(error);
  const counter = action === 'publish' ? shared.counters.publishRefused : shared.counters.playRefused;
  counter[payload.code] = (counter[payload.code] ?? 0) + 1;
  shared.log.info({ action, protocol, streamCode, remote, code: payload.code, reason: payload.message }, `${action} refused`);
  shared.events.emit('refused', { action, protocol, streamCode, code: payload.code, message: payload.message, remote });
  return payload;
}
