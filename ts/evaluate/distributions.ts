/**
 * The few distribution tails the significance tests need: the complementary error
 * function, two-sided normal and chi-square(1) p-values, and the exact two-sided
 * binomial(n, 1/2) p-value.
 * @module
 */

/**
 * Complementary error function erfc(x), Chebyshev fit (Numerical Recipes `erfcc`),
 * fractional error below 1.2e-7 everywhere.
 * @param x - any finite number.
 * @example
 * erfc(0); // 1
 */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

/**
 * Two-sided p-value of a standard-normal statistic: P(|Z| >= |z|).
 * @param z - the statistic.
 * @example
 * normalTwoSidedP(1.959964); // ~0.05
 */
export function normalTwoSidedP(z: number): number {
  return Math.min(1, erfc(Math.abs(z) / Math.SQRT2));
}

/**
 * Upper tail of the chi-square distribution with one degree of freedom: P(X >= x).
 * @param x - non-negative statistic.
 * @example
 * chiSquare1SurvivalP(3.841459); // ~0.05
 */
export function chiSquare1SurvivalP(x: number): number {
  return x <= 0 ? 1 : erfc(Math.sqrt(x / 2));
}

/**
 * Exact two-sided p-value of k successes in n fair coin flips:
 * min(1, 2 P(X <= min(k, n - k))), computed in log space (no underflow for large n).
 * @param k - observed count, integer in [0, n].
 * @param n - trials, non-negative integer.
 * @example
 * binomialTwoSidedP(1, 10); // 2 * 11 / 1024 = 0.021484375
 */
export function binomialTwoSidedP(k: number, n: number): number {
  if (n === 0) return 1;
  const tail = Math.min(k, n - k);
  let logTerm = -n * Math.LN2; // log C(n, 0) / 2^n
  let sum = Math.exp(logTerm);
  for (let i = 1; i <= tail; i++) {
    logTerm += Math.log((n - i + 1) / i);
    sum += Math.exp(logTerm);
  }
  return Math.min(1, 2 * sum);
}
