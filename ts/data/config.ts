/**
 * One place that turns a zod validation failure into a {@link ConfigError} listing
 * every issue, so each options object in the data layer reports problems the same way.
 * @module
 */
import type { z } from 'zod';
import { ConfigError } from '../errors';

/**
 * Validates `value` against `schema` and returns the parsed (defaults-filled) value.
 * @param name - what is being validated, used in the message (e.g. "readWfdbRecord options")
 * @param schema - zod schema; unknown keys should be rejected with `.strict()`
 * @param value - the caller's input; `undefined` is treated as `{}`
 * @throws {ConfigError} listing each issue as `path: message`
 * @example
 * const opts = parseConfig('segment options', SegmentOptionsSchema, userOptions);
 */
export function parseConfig<S extends z.ZodType>(name: string, schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value === undefined ? {} : value);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => {
    const where = issue.path.length ? issue.path.map(String).join('.') : '(root)';
    return `${where}: ${issue.message}`;
  });
  throw new ConfigError(`Invalid ${name}`, issues);
}
