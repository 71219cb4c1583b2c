/**
 * Small argument predicates and the one error factory for invalid parameters
 * (after lovell/sharp's lib/is.js). Messages read:
 * "Expected positive integer for steps but received -1 of type number".
 * @module
 */
import { ArgumentRangeError, ArgumentTypeError } from './errors';

/** Describes a received value for an error message. */
function describe(actual: unknown): string {
  if (typeof actual === 'string') return `"${actual.length > 60 ? actual.slice(0, 57) + '...' : actual}" of type string`;
  if (ArrayBuffer.isView(actual)) return `${actual.constructor.name}`;
  if (Array.isArray(actual)) return `array of length ${actual.length}`;
  if (actual === null) return 'null';
  return `${String(actual)} of type ${typeof actual}`;
}

/**
 * Builds the error for an invalid parameter: an {@link ArgumentTypeError} when the
 * value has the wrong type, an {@link ArgumentRangeError} when it is out of range.
 */
export function invalidParameterError(
  name: string,
  expected: string,
  actual: unknown,
  kind: 'type' | 'range' = 'range',
): ArgumentTypeError | ArgumentRangeError {
  const message = `Expected ${expected} for ${name} but received ${describe(actual)}`;
  return kind === 'type' ? new ArgumentTypeError(message) : new ArgumentRangeError(message);
}

export const defined = <T>(v: T | undefined | null): v is T => v !== undefined && v !== null;
export const object = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !ArrayBuffer.isView(v);
export const bool = (v: unknown): v is boolean => typeof v === 'boolean';
export const number = (v: unknown): v is number => typeof v === 'number' && !Number.isNaN(v);
export const finiteNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
export const integer = (v: unknown): v is number => Number.isInteger(v);
export const string = (v: unknown): v is string => typeof v === 'string';
export const inRange = (v: number, min: number, max: number): boolean => v >= min && v <= max;
export const inArray = <T>(v: unknown, list: readonly T[]): v is T => list.includes(v as T);

/** Throws unless `v` is an integer in [min, max]; returns it typed. */
export function assertInteger(name: string, v: unknown, min = -Infinity, max = Infinity): number {
  if (typeof v !== 'number') throw invalidParameterError(name, 'integer', v, 'type');
  if (!integer(v) || !inRange(v, min, max)) {
    const range =
      min === 1 && max === Infinity ? 'positive integer'
      : min === 0 && max === Infinity ? 'non-negative integer'
      : `integer between ${min} and ${max}`;
    throw invalidParameterError(name, range, v);
  }
  return v;
}

/** Throws unless `v` is a finite number in [min, max]; returns it typed. */
export function assertNumber(name: string, v: unknown, min = -Infinity, max = Infinity): number {
  if (typeof v !== 'number') throw invalidParameterError(name, 'number', v, 'type');
  if (!finiteNumber(v) || !inRange(v, min, max)) {
    throw invalidParameterError(name, `finite number between ${min} and ${max}`, v);
  }
  return v;
}

/** Throws unless `v` is one of `list`; returns it typed. */
export function assertOneOf<T extends string>(name: string, v: unknown, list: readonly T[]): T {
  if (typeof v !== 'string') throw invalidParameterError(name, `one of ${list.join(', ')}`, v, 'type');
  if (!inArray(v, list)) throw invalidParameterError(name, `one of ${list.join(', ')}`, v);
  return v;
}

/** Throws unless `v` is a plain object (or undefined, which gives `{}`). */
export function assertOptions(name: string, v: unknown): Record<string, unknown> {
  if (v === undefined) return {};
  if (!object(v)) throw invalidParameterError(name, 'object', v, 'type');
  return v;
}
