// Parses a method's input with its schema; a failure is a ValidationError (INVALID_ARGUMENT) that
// names the field at fault, e.g. `layout.participants.0.rect.w` or `roomId`.
import type { z } from 'zod';
import { ValidationError } from '../errors';
import { STUDIO_METHOD_INPUTS, type StudioParsedInput } from './methods';
import { isStudioMethodName, type StudioMethodName } from './names';

/** Throws INVALID_ARGUMENT naming `method` unless it is a contract method. */
export function assertStudioMethod(method: unknown): StudioMethodName {
  if (!isStudioMethodName(method)) {
    throw new ValidationError('INVALID_ARGUMENT', 'method', `unknown StudioApi method ${JSON.stringify(String(method)).slice(0, 80)}`);
  }
  return method;
}

export function parseStudioInput<K extends StudioMethodName>(method: K, input: unknown): StudioParsedInput<K> {
  const schema = STUDIO_METHOD_INPUTS[method].input as z.ZodType;
  const result = schema.safeParse(input);
  if (result.success) return result.data as StudioParsedInput<K>;
  throw validationErrorFromZod(result.error, `${method}`);
}

/** The first issue of a zod error as a ValidationError naming its field (path joined by '.'). */
export function validationErrorFromZod(error: z.ZodError, context: string): ValidationError {
  const issue = error.issues[0];
  if (!issue) return new ValidationError('INVALID_ARGUMENT', 'input', `${context}: invalid input`);
  const path = issue.path.map(String);
  if (issue.code === 'unrecognized_keys' && issue.keys.length > 0) path.push(issue.keys[0]!);
  const field = path.length === 0 ? 'input' : path.join('.');
  return new ValidationError('INVALID_ARGUMENT', field, `${context}: ${field}: ${issue.message}`);
}
