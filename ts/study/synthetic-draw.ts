/**
 * Label-balanced, seeded draws of synthetic segments. Each class of the synthetic file
 * gets an equal share of the requested count; within a class, segments are taken in a
 * seeded random order, and only when a class has fewer segments than its share does a
 * fresh shuffle of the same segments follow (counted as `reused`).
 *
 * Draws with one seed are nested: the draw of n segments is contained in the draw of
 * any m > n, so a study's ratio 2 adds to ratio 1's synthetic data rather than
 * replacing it, and the gain-vs-ratio curve is not blurred by redrawing.
 * @module
 */
import { assertInteger } from '../is';
import { createPrng, shuffleInPlace } from '../data/prng';

/** What {@link drawBalancedSynthetic} selected. */
export interface SyntheticDraw {
  /** Indices into the synthetic set, class by class. */
  indices: Int32Array;
  /** Segments drawn per class. */
  perClass: Record<number, number>;
  /** Draws beyond a class's distinct segments (the file was smaller than the share). */
  reused: number;
}

/**
 * Draws `count` synthetic segments, label-balanced across the classes present in
 * `labels` (shares differ by at most one; the extra ones go to classes in a seeded
 * cyclic order, the same for every count, which keeps draws nested).
 * @param labels - label of each synthetic segment (non-empty)
 * @param count - segments to draw (0 gives an empty draw)
 * @param seed - PRNG seed; the same seed gives the same, nested draws
 * @throws {ArgumentRangeError} a negative or non-integer count or seed
 * @example
 * drawBalancedSynthetic(Int32Array.of(0, 0, 0, 1), 4, 7).perClass; // { 0: 2, 1: 2 } (class 1 reused once)
 */
export function drawBalancedSynthetic(labels: Int32Array, count: number, seed: number): SyntheticDraw {
  assertInteger('count', count, 0);
  assertInteger('seed', seed);
  const members = new Map<number, number[]>();
  labels.forEach((label, i) => {
    const list = members.get(label);
    if (list) list.push(i);
    else members.set(label, [i]);
  });
  const classes = [...members.keys()].sort((a, b) => a - b);
  const rng = createPrng(seed);
  // The cyclic order in which classes receive the remainder, fixed by the seed alone.
  const offset = rng.int(classes.length);
  const indices: number[] = [];
  const perClass: Record<number, number> = {};
  let reused = 0;
  classes.forEach((label, c) => {
    const share = Math.floor(count / classes.length) + ((c - offset + classes.length) % classes.length < count % classes.length ? 1 : 0);
    const pool = members.get(label)!;
    // Each class draws from its own stream so its order does not depend on the count.
    const classRng = createPrng(seed + 0x9e3779b9 * (c + 1));
    let order: number[] = [];
    for (let k = 0; k < share; k++) {
      if (k % pool.length === 0) order = shuffleInPlace([...pool], classRng);
      indices.push(order[k % pool.length]!);
    }
    perClass[label] = share;
    reused += Math.max(0, share - pool.length);
  });
  return { indices: Int32Array.from(indices), perClass, reused };
}
