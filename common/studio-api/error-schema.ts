// The zod shape of an ErrorPayload, for parsing errors that crossed a boundary.
import { z } from 'zod';
import { ERROR_CODES } from '../errors';

export const errorPayloadSchema = z.object({ name: z.string(), code: z.enum(ERROR_CODES), message: z.string(), field: z.string().optional() });
