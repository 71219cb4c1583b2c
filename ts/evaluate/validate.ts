/**
 * Input checks shared by the evaluation functions: equal lengths, integer labels,
 * finite scores, probabilities in [0, 1]. Each throws the typed error of
 * `ts/errors.ts` whose message names the argument.
 * @module
 */
import { NonFiniteError, ShapeError } from '../errors';
import { invalidParameterError } from '../is';

/** A read-only numeric sequence: `number[]` or any typed array. */
export type NumericArray = ArrayLike<number>;

/**
 * Throws unless `values` is an array or typed array of numbers with at least `minLength` items.
 * @param name - argument name for the message.
 * @param values - the value to check.
 * @param minLength - minimum length (default 1).
 * @throws {ArgumentTypeError} when not an array; {@link ShapeError} when too short.
 * @example
 * assertNumericArray('scores', [0.1, 0.2]);
 */
export function assertNumericArray(name: string, values: unknown, minLength = 1): NumericArray {
  const ok =
    Array.isArray(values) || (ArrayBuffer.isView(values) && !(values instanceof DataView) && !isBigIntArray(values));
  if (!ok) throw invalidParameterError(name, 'array or typed array of numbers', values, 'type');
  const array = values as NumericArray;
  if (array.length < minLength) {
    throw new ShapeError(`Expected at least ${minLength} values for ${name} but received ${array.length}`);
  }
  return array;
}

function isBigIntArray(v: ArrayBufferView): boolean {
  return v instanceof BigInt64Array || v instanceof BigUint64Array;
}

/**
 * Throws a {@link ShapeError} unless every array has the length of the first.
 * @param named - arrays by argument name; the first is the reference.
 * @returns the common length.
 * @throws {ShapeError} on a length mismatch.
 * @example
 * assertSameLength({ yTrue, scores }); // 10
 */
export function assertSameLength(named: Record<string, ArrayLike<unknown>>): number {
  const entries = Object.entries(named);
  const [firstName, first] = entries[0]!;
  for (const [name, array] of entries.slice(1)) {
    if (array.length !== first.length) {
      throw new ShapeError(
        `Expected ${name} to have the length of ${firstName} (${first.length}) but received ${array.length}`,
      );
    }
  }
  return first.length;
}

/**
 * Throws unless every label is an integer in [0, numClasses). Returns the number of
 * classes seen (max label + 1) when `numClasses` is not given.
 * @param name - argument name for the message.
 * @param labels - the labels.
 * @param numClasses - exclusive upper bound (default: none).
 * @throws {ArgumentTypeError | ArgumentRangeError} on a non-integer, negative or too large label.
 * @throws {ShapeError} on an empty array.
 * @example
 * assertLabels('yTrue', [0, 2, 1]); // 3
 */
export function assertLabels(name: string, labels: unknown, numClasses?: number): number {
  const array = assertNumericArray(name, labels);
  let max = 0;
  for (let i = 0; i < array.length; i++) {
    const v = array[i]!;
    if (!Number.isInteger(v) || v < 0) {
      throw invalidParameterError(`${name}[${i}]`, 'non-negative integer class label', v, Number.isNaN(v) ? 'type' : 'range');
    }
    if (numClasses !== undefined && v >= numClasses) {
      throw invalidParameterError(`${name}[${i}]`, `class label below ${numClasses}`, v);
    }
    if (v > max) max = v;
  }
  return numClasses ?? max + 1;
}

/**
 * Throws unless every label is 0 or 1.
 * @param name - argument name for the message.
 * @param labels - the labels.
 * @throws {ArgumentRangeError | ShapeError} as {@link assertLabels}.
 * @example
 * assertBinaryLabels('yTrue', [0, 1, 1]);
 */
export function assertBinaryLabels(name: string, labels: unknown): NumericArray {
  assertLabels(name, labels, 2);
  return labels as NumericArray;
}

/**
 * Throws a {@link NonFiniteError} at the first NaN or infinite score.
 * @param name - argument name for the message.
 * @param scores - the scores.
 * @throws {NonFiniteError} on NaN or infinity; {@link ShapeError} on an empty array.
 * @example
 * assertFiniteScores('scores', [0.3, -1.2]);
 */
export function assertFiniteScores(name: string, scores: unknown): NumericArray {
  const array = assertNumericArray(name, scores);
  for (let i = 0; i < array.length; i++) {
    if (!Number.isFinite(array[i])) {
      throw new NonFiniteError(`Expected finite number for ${name}[${i}] but received ${String(array[i])}`);
    }
  }
  return array;
}

/**
 * Throws unless every value is a finite probability in [0, 1].
 * @param name - argument name for the message.
 * @param probabilities - the values.
 * @throws {NonFiniteError} on NaN or infinity; {@link ArgumentRangeError} outside [0, 1].
 * @example
 * assertProbabilities('probabilities', [0, 0.5, 1]);
 */
export function assertProbabilities(name: string, probabilities: unknown): NumericArray {
  const array = assertFiniteScores(name, probabilities);
  for (let i = 0; i < array.length; i++) {
    const p = array[i]!;
    if (p < 0 || p > 1) throw invalidParameterError(`${name}[${i}]`, 'probability between 0 and 1', p);
  }
  return array;
}
