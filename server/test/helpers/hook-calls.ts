// What an external origin sends to our hooks, byte for byte as measured
// (../shared/design/cluster-hooks.md): nginx-rtmp notify forms, SRS JSON hooks, Tencent CSS callbacks.
import { md5Hex } from '../../../common';

export interface HookReply {
  readonly status: number;
  readonly body: string;
}

export async function postHook(url: string, body: string, contentType: string): Promise<HookReply> {
  const response = await fetch(url, { method: 'POST', headers: { 'Content-Type': contentType }, body });
  return { status: response.status, body: await response.text() };
}

export interface NginxCall {
  readonly call: 'publish' | 'play' | 'update_publish' | 'update_play' | 'publish_done' | 'play_done';
  readonly name: string;
  /** The stream URL's query as the client wrote it (appended raw, as nginx does). */
  readonly args?: string;
  readonly clientId: number;
  readonly app?: string;
  readonly addr?: string;
  readonly pageUrl?: string;
  readonly flashver?: string;
}

/** nginx-rtmp 1.2.2's form body for one notification. */
export function nginxForm(call: NginxCall): string {
  const flashver = call.flashver ?? (call.call.includes('publish') ? 'FMLE/3.0%20(compatible%3B%20Lavf59.27' : 'LNX%209,0,124,2');
  const fixed = [
    `app=${call.app ?? 'live'}`,
    `flashver=${flashver}`,
    'swfurl=',
    `tcurl=rtmp://127.0.0.1:1935/${call.app ?? 'live'}`,
    `pageurl=${call.pageUrl ?? ''}`,
    `addr=${call.addr ?? '127.0.0.1'}`,
    `clientid=${call.clientId}`,
    `call=${call.call}`,
  ];
  const extra =
    call.call === 'publish'
      ? [`name=${call.name}`, 'type=live']
      : call.call === 'play'
        ? [`name=${call.name}`, 'start=4294965296', 'duration=0', 'reset=0']
        : call.call.startsWith('update')
          ? ['time=30', 'timestamp=30000', `name=${call.name}`]
          : [`name=${call.name}`];
  return [...fixed, ...extra, ...(call.args ? [call.args] : [])].join('&');
}

/** A Tencent CSS stream-state callback signed md5(callbackKey + t). */
export function tencentCallback(options: { key: string; eventType: 0 | 1; streamId: string; streamParam: string; t: number; sign?: string }): string {
  return JSON.stringify({
    app: 'push.example.com',
    appid: 1250000000,
    appname: 'live',
    channel_id: options.streamId,
    errcode: 0,
    errmsg: 'ok',
    event_time: options.t - 600,
    event_type: options.eventType,
    node: '100.121.160.92',
    sequence: '6674468118806626493',
    stream_id: options.streamId,
    stream_param: options.streamParam,
    user_ip: '203.0.113.7',
    width: 360,
    height: 640,
    push_duration: options.eventType === 0 ? '61000' : undefined,
    t: options.t,
    sign: options.sign ?? md5Hex(options.key + String(options.t)),
  });
}
