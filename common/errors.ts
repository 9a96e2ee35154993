// Few error types with stable codes. Codes cross every boundary (IPC, WebSocket, HTTP, CLI) as
// `{ name, code, message }`; UI text is looked up by code in the translation table.

export const ERROR_CODES = [
  // bad input
  'INVALID_ARGUMENT',
  'INVALID_SESSION_ID',
  'INVALID_MIX_PARAM',
  'INVALID_URL',
  'INVALID_CONFIG',
  'INVALID_MESSAGE',
  'MESSAGE_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'RATE_LIMITED',
  'UNKNOWN_MESSAGE_TYPE',
  // signing / identity
  'SIGNATURE_MISSING',
  'SIGNATURE_MALFORMED',
  'SIGNATURE_INVALID',
  'SIGNATURE_EXPIRED',
  'TOKEN_MISSING',
  'TOKEN_INVALID',
  'TOKEN_EXPIRED',
  'HOST_NOT_ALLOWED',
  'ORIGIN_NOT_ALLOWED',
  // origin policy
  'STREAM_CODE_TAKEN',
  'STREAM_CODE_NOT_YOURS',
  'STREAM_CODE_LIMIT_REACHED',
  'LINK_QUOTA_EXCEEDED',
  'SESSION_ID_TAKEN',
  'STREAM_NOT_FOUND',
  'INVALID_TEMPLATE',
  // signalling
  'USER_OFFLINE',
  'ROOM_NOT_FOUND',
  'ROOM_CLOSED',
  'NOT_ALLOWED',
  'LINK_REQUESTS_DISABLED',
  'GUEST_LIMIT_REACHED',
  'ALREADY_LINKED',
  'ALREADY_PENDING',
  'REQUEST_NOT_PENDING',
  'PK_BUSY',
  'TIMEOUT',
  // lifecycle / runtime
  'INVALID_STATE',
  'PORT_IN_USE',
  'NOT_LISTENING',
  'FFMPEG_NOT_FOUND',
  'FFMPEG_UNUSABLE',
  'FFMPEG_FAILED',
  'CONNECT_FAILED',
  'PUBLISH_REFUSED',
  'DISCONNECTED',
  'ENCODE_ERROR',
  'SERVER_UNREACHABLE',
  // OBS Studio engine (obs-websocket)
  'OBS_NOT_RUNNING',
  'OBS_AUTH_FAILED',
  'OBS_WEBSOCKET_TOO_OLD',
  'OBS_REQUEST_FAILED',
  'OBS_STREAM_STOPPED',
  // recording
  'RECORDING_NOT_LIVE',
  'RECORDING_FOLDER_UNWRITABLE',
  'RECORDING_DISK_FULL',
  'RECORDING_FAILED',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** The serialisable shape of an error on any boundary. */
export interface ErrorPayload {
  readonly name: string;
  readonly code: ErrorCode;
  readonly message: string;
  /** The field or parameter at fault, for validation errors. */
  readonly field?: string;
}

export class LinkMicError extends Error {
  override readonly name: string = 'LinkMicError';
  readonly code: ErrorCode;
  readonly field: string | undefined;

  constructor(code: ErrorCode, message: string, options: { field?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.field = options.field;
  }

  toPayload(): ErrorPayload {
    return this.field === undefined
      ? { name: this.name, code: this.code, message: this.message }
      : { name: this.name, code: this.code, message: this.message, field: this.field };
  }

  static fromPayload(payload: ErrorPayload): LinkMicError {
    return new LinkMicError(payload.code, payload.message, payload.field === undefined ? {} : { field: payload.field });
  }
}

/** Bad input: names the field at fault. */
export class ValidationError extends LinkMicError {
  override readonly name = 'ValidationError';
  constructor(code: ErrorCode, field: string, message: string) {
    super(code, message, { field });
  }
}

/** Use after close, or an operation in the wrong state. */
export class InvalidStateError extends LinkMicError {
  override readonly name = 'InvalidStateError';
  constructor(message: string) {
    super('INVALID_STATE', message);
  }
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value);
}

/** Any thrown value as a payload; unknown errors become INTERNAL without leaking stack traces. */
export function toErrorPayload(error: unknown): ErrorPayload {
  if (error instanceof LinkMicError) return error.toPayload();
  const message = error instanceof Error ? error.message : String(error);
  return { name: 'Error', code: 'INTERNAL', message };
}
