// The one translation table: every UI string, in English and Simplified Chinese, plus error codes
// in sentences a streamer understands. Dates and numbers go through Intl with the same locale.
import type { ErrorCode, ErrorPayload } from './errors';

export const LOCALES = ['en', 'zh-CN'] as const;
export type Locale = (typeof LOCALES)[number];

type Params = Record<string, string | number>;

const en = {
  'app.title': 'LinkMic Studio',
  'app.language': 'Language',
  'status.live': 'LIVE',
  'status.offline': 'Offline',
  'status.connecting': 'Connecting…',
  'status.reconnecting': 'Reconnecting… (attempt {attempt})',
  // error codes
  'error.INVALID_ARGUMENT': 'Some input is not valid: {detail}',
  'error.INVALID_SESSION_ID': 'The link-mic session number is not valid.',
  'error.INVALID_MIX_PARAM': 'The mix setting in the stream address is not valid: {detail}',
  'error.INVALID_URL': 'The stream address is not valid.',
  'error.INVALID_CONFIG': 'The settings are not valid: {detail}',
  'error.INVALID_MESSAGE': 'The server could not understand a message from this app.',
  'error.MESSAGE_TOO_LARGE': 'A message was too large to send.',
  'error.RATE_LIMITED': 'Too many actions in a short time. Please wait a moment.',
  'error.UNKNOWN_MESSAGE_TYPE': 'The server does not know this action. Is the app up to date?',
  'error.SIGNATURE_MISSING': 'The stream address is not signed. Ask the server for a new one.',
  'error.SIGNATURE_MALFORMED': 'The stream address signature is damaged. Ask the server for a new one.',
  'error.SIGNATURE_INVALID': 'The server refused the stream address: its signature is wrong.',
  'error.SIGNATURE_EXPIRED': 'The stream address has expired. Ask the server for a new one.',
  'error.TOKEN_MISSING': 'Please sign in first.',
  'error.TOKEN_INVALID': 'Your sign-in is not valid. Please sign in again.',
  'error.TOKEN_EXPIRED': 'Your sign-in has expired. Please sign in again.',
  'error.STREAM_CODE_TAKEN': 'This stream code is already live from somewhere else.',
  'error.LINK_QUOTA_EXCEEDED': 'The link-mic quota is full: at most {quota} low-latency links per session.',
  'error.SESSION_ID_TAKEN': 'That session number is already used by another room.',
  'error.STREAM_NOT_FOUND': 'That stream is not live.',
  'error.INVALID_TEMPLATE': 'That layout template does not exist.',
  'error.USER_OFFLINE': 'That person is offline.',
  'error.ROOM_NOT_FOUND': 'That room does not exist or is not live.',
  'error.ROOM_CLOSED': 'The room has closed.',
  'error.NOT_ALLOWED': 'You are not allowed to do that.',
  'error.LINK_REQUESTS_DISABLED': 'The host is not taking link-mic requests right now.',
  'error.GUEST_LIMIT_REACHED': 'The host already has the most co-hosts allowed.',
  'error.ALREADY_LINKED': 'You are already linked.',
  'error.ALREADY_PENDING': 'A request is already waiting for an answer.',
  'error.REQUEST_NOT_PENDING': 'That request is no longer waiting (it was cancelled, answered or timed out).',
  'error.PK_BUSY': 'That host is already in a PK.',
  'error.TIMEOUT': 'No answer in time.',
  'error.INVALID_STATE': 'That is not possible right now.',
  'error.PORT_IN_USE': 'Port {port} is already in use by another program.',
  'error.NOT_LISTENING': 'The server is not running.',
  'error.FFMPEG_NOT_FOUND': 'FFmpeg was not found. Install FFmpeg or choose its location in Settings.',
  'error.FFMPEG_UNUSABLE': 'FFmpeg at {path} cannot be used: {detail}',
  'error.FFMPEG_FAILED': 'The encoder stopped unexpectedly: {detail}',
  'error.CONNECT_FAILED': 'Could not connect to the streaming server.',
  'error.PUBLISH_REFUSED': 'The server refused the stream: {detail}',
  'error.DISCONNECTED': 'The connection to the server was lost.',
  'error.ENCODE_ERROR': 'The video encoder failed.',
  'error.SERVER_UNREACHABLE': 'The server cannot be reached. Retrying…',
  'error.INTERNAL': 'Something went wrong. Please try again.',
} as const;

export type MessageKey = keyof typeof en;

const zhCN: Record<MessageKey, string> = {
  'app.title': 'LinkMic 直播助手',
  'app.language': '语言',
  'status.live': '直播中',
  'status.offline': '未开播',
  'status.connecting': '正在连接…',
  'status.reconnecting': '正在重连…（第 {attempt} 次）',
  'error.INVALID_ARGUMENT': '输入有误：{detail}',
  'error.INVALID_SESSION_ID': '连麦会话号无效。',
  'error.INVALID_MIX_PARAM': '推流地址中的混流参数无效：{detail}',
  'error.INVALID_URL': '推流/播放地址无效。',
  'error.INVALID_CONFIG': '设置无效：{detail}',
  'error.INVALID_MESSAGE': '服务器无法识别本应用发送的消息。',
  'error.MESSAGE_TOO_LARGE': '消息过大，无法发送。',
  'error.RATE_LIMITED': '操作过于频繁，请稍候再试。',
  'error.UNKNOWN_MESSAGE_TYPE': '服务器不支持此操作，请检查应用是否为最新版本。',
  'error.SIGNATURE_MISSING': '推流地址缺少签名，请向服务器重新获取。',
  'error.SIGNATURE_MALFORMED': '推流地址签名已损坏，请向服务器重新获取。',
  'error.SIGNATURE_INVALID': '服务器拒绝了推流地址：签名错误。',
  'error.SIGNATURE_EXPIRED': '推流地址已过期，请向服务器重新获取。',
  'error.TOKEN_MISSING': '请先登录。',
  'error.TOKEN_INVALID': '登录信息无效，请重新登录。',
  'error.TOKEN_EXPIRED': '登录已过期，请重新登录。',
  'error.STREAM_CODE_TAKEN': '该直播码已在别处推流。',
  'error.LINK_QUOTA_EXCEEDED': '连麦名额已满：每个会话最多 {quota} 路低延迟连接。',
  'error.SESSION_ID_TAKEN': '该会话号已被其他房间占用。',
  'error.STREAM_NOT_FOUND': '该直播流未在直播。',
  'error.INVALID_TEMPLATE': '该布局模板不存在。',
  'error.USER_OFFLINE': '对方不在线。',
  'error.ROOM_NOT_FOUND': '房间不存在或未开播。',
  'error.ROOM_CLOSED': '房间已关闭。',
  'error.NOT_ALLOWED': '您没有权限执行此操作。',
  'error.LINK_REQUESTS_DISABLED': '主播当前未开放连麦申请。',
  'error.GUEST_LIMIT_REACHED': '主播的连麦嘉宾已达上限。',
  'error.ALREADY_LINKED': '您已在连麦中。',
  'error.ALREADY_PENDING': '已有一个申请在等待回复。',
  'error.REQUEST_NOT_PENDING': '该申请已不在等待中（已取消、已回复或已超时）。',
  'error.PK_BUSY': '对方主播正在 PK 中。',
  'error.TIMEOUT': '对方未及时回复。',
  'error.INVALID_STATE': '当前无法执行此操作。',
  'error.PORT_IN_USE': '端口 {port} 已被其他程序占用。',
  'error.NOT_LISTENING': '服务器未运行。',
  'error.FFMPEG_NOT_FOUND': '未找到 FFmpeg。请安装 FFmpeg，或在设置中指定其位置。',
  'error.FFMPEG_UNUSABLE': '位于 {path} 的 FFmpeg 无法使用：{detail}',
  'error.FFMPEG_FAILED': '编码器意外停止：{detail}',
  'error.CONNECT_FAILED': '无法连接到推流服务器。',
  'error.PUBLISH_REFUSED': '服务器拒绝了推流：{detail}',
  'error.DISCONNECTED': '与服务器的连接已断开。',
  'error.ENCODE_ERROR': '视频编码器出错。',
  'error.SERVER_UNREACHABLE': '无法连接服务器，正在重试…',
  'error.INTERNAL': '出了点问题，请重试。',
};

const TABLES: Record<Locale, Record<MessageKey, string>> = { en, 'zh-CN': zhCN };

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (LOCALES as readonly string[]).includes(value);
}

/** Picks a supported locale from a BCP 47 tag (e.g. navigator.language): any zh → zh-CN, else en. */
export function matchLocale(tag: string | undefined): Locale {
  return tag?.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}

export function translate(locale: Locale, key: MessageKey, params: Params = {}): string {
  const template = TABLES[locale][key] ?? en[key];
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? formatParam(locale, params[name]!) : whole));
}

function formatParam(locale: Locale, value: string | number): string {
  return typeof value === 'number' ? formatNumber(locale, value) : value;
}

/** An error as a sentence for the streamer, never a stack trace. */
export function translateError(locale: Locale, error: Pick<ErrorPayload, 'code' | 'message'> & { params?: Params }): string {
  const key = `error.${error.code}` as MessageKey;
  const params: Params = { detail: error.message, quota: 3, port: '', path: '', ...error.params };
  return translate(locale, key in en ? key : 'error.INTERNAL', params);
}

export function errorMessageKey(code: ErrorCode): MessageKey {
  return `error.${code}` as MessageKey;
}

export function formatNumber(locale: Locale, value: number, options?: Intl.NumberFormatOptions): string {
  return new Intl.NumberFormat(locale, options).format(value);
}

export function formatDateTime(locale: Locale, epochMs: number, options: Intl.DateTimeFormatOptions = { dateStyle: 'medium', timeStyle: 'medium' }): string {
  return new Intl.DateTimeFormat(locale, options).format(epochMs);
}

/** Adds UI strings from another module (keeps one table: keys must exist in both locales). */
export function messageTables(): Readonly<Record<Locale, Readonly<Record<string, string>>>> {
  return TABLES;
}
