/**
 * commander argument parsers for numeric flags: each returns the parsed value or throws
 * commander's InvalidArgumentError, which prints "error: option '--x <n>' argument 'y' is
 * invalid. expected ...".
 * @module
 */
import { InvalidArgumentError } from 'commander';

/** "3" -> 3; rejects 0, negatives, fractions and non-numbers. */
export function positiveInt(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new InvalidArgumentError(`expected a positive integer, got "${value}"`);
  return Number(value);
}

/** "0" -> 0; rejects negatives, fractions and non-numbers. */
export function nonNegativeInt(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`expected a non-negative integer, got "${value}"`);
  return Number(value);
}

/** "1e-3" -> 0.001; rejects 0, negatives, NaN and infinities. */
export function positiveNumber(value: string): number {
  const v = Number(value);
  if (value.trim() === '' || !Number.isFinite(v) || v <= 0) throw new InvalidArgumentError(`expected a positive number, got "${value}"`);
  return v;
}

/** "ii,v1" -> ["ii", "v1"], "1" -> [1]: lead names, or indices when all digits. */
export function leadList(value: string): (string | number)[] {
  const items = value.split(',').map((s) => s.trim());
  if (items.some((s) => s === '')) throw new InvalidArgumentError(`expected comma-separated lead names or indices, got "${value}"`);
  return items.map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}
