// HTTP status for an error code, on every HTTP answer of the server.
import type { ErrorCode } from '../../common';

export function statusForCode(code: ErrorCode): number {
  switch (code) {
    case 'SIGNATURE_MISSING':
    case 'SIGNATURE_MALFORMED':
    case 'SIGNATURE_INVALID':
    case 'SIGNATURE_EXPIRED':
    case 'NOT_ALLOWED':
    case 'STREAM_CODE_NOT_YOURS':
      return 403;
    case 'LINK_QUOTA_EXCEEDED':
    case 'STREAM_CODE_LIMIT_REACHED':
      return 429;
    case 'STREAM_CODE_TAKEN':
      return 409;
    case 'STREAM_NOT_FOUND':
      return 404;
    case 'INVALID_STATE':
      return 503;
    case 'INTERNAL':
      return 500;
    default:
      return 400;
  }
}

