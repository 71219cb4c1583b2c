/**
 * A small seeded pseudo-random generator (mulberry32) so that splits and fuzz runs
 * are reproducible from one integer seed on every platform.
 * @module
 */

/** A seeded generator of uniform numbers in [0, 1). */
export interface Prng {
  /** Next uniform number in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
}

/**
 * Creates a mulberry32 generator.
 * @param seed - any integer; the same seed gives the same sequence
 * @example
 * const rng = createPrng(42); rng.int(10);
 */
export function createPrng(seed: number): Prng {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (n) => Math.floor(next() * n) };
}

/**
 * Shuffles an array in place (Fisher-Yates) and returns it.
 * @example
 * shuffleInPlace([1, 2, 3], createPrng(1));
 */
export function shuffleInPlace<T>(items: T[], rng: Prng): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = items[i]!;
    items[i] = items[j]!;
    items[j] = t;
  }
  return items;
}
