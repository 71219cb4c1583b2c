/**
 * A seeded random forest classifier in plain TypeScript: CART trees grown on bootstrap
 * samples with the Gini criterion, a random subset of features (default sqrt(d)) tried
 * at each split, maximum depth and minimum leaf size; probabilities are the mean of the
 * trees' leaf class frequencies (as scikit-learn's RandomForestClassifier).
 * Rows are Float32Array feature vectors; the same seed gives the same forest.
 * @module
 */
import { NonFiniteError, ShapeError } from '../errors';
import { assertInteger, assertOptions, invalidParameterError } from '../is';
import { createPrng, type Prng } from '../data/prng';
import { assertLabels, assertSameLength, type NumericArray } from '../evaluate/validate';

/** How many features each split may try: a rule or an explicit count. */
export type MaxFeatures = 'sqrt' | 'log2' | 'all' | number;

/** Options of {@link RandomForestClassifier}; every field has a default. */
export interface RandomForestOptions {
  /** Number of trees; integer in [1, 10000], default 100. */
  trees?: number;
  /** Maximum tree depth (root = 0); positive integer or Infinity (default). */
  maxDepth?: number;
  /** Minimum samples in each leaf; positive integer, default 1. */
  minSamplesLeaf?: number;
  /** Minimum samples a node needs to be split; integer >= 2, default 2. */
  minSamplesSplit?: number;
  /** Features tried per split: 'sqrt' (default), 'log2', 'all' or a positive integer. */
  maxFeatures?: MaxFeatures;
  /** Grow each tree on a bootstrap sample (default true) or on all rows. */
  bootstrap?: boolean;
  /** PRNG seed (integer), default 0. */
  seed?: number;
}

/** The defaults of every {@link RandomForestOptions} field. */
export const RANDOM_FOREST_DEFAULTS: Readonly<Required<RandomForestOptions>> = Object.freeze({
  trees: 100,
  maxDepth: Infinity,
  minSamplesLeaf: 1,
  minSamplesSplit: 2,
  maxFeatures: 'sqrt',
  bootstrap: true,
  seed: 0,
});

/** One fitted tree in flat arrays; node 0 is the root, `feature[i] < 0` marks a leaf. */
interface FlatTree {
  feature: Int32Array;
  threshold: Float64Array;
  left: Int32Array;
  right: Int32Array;
  /** Class frequencies of each node, numClasses values per node. */
  value: Float64Array;
}

/** Serialised forest, as returned by {@link RandomForestClassifier.toJSON}. */
export interface RandomForestJSON {
  options: Required<RandomForestOptions>;
  numClasses: number;
  numFeatures: number;
  importances: number[];
  trees: { feature: number[]; threshold: number[]; left: number[]; right: number[]; value: number[] }[];
}

function resolveOptions(options: unknown): Required<RandomForestOptions> {
  const o = { ...RANDOM_FOREST_DEFAULTS, ...assertOptions('options', options) } as Required<RandomForestOptions>;
  assertInteger('options.trees', o.trees, 1, 10000);
  if (o.maxDepth !== Infinity) assertInteger('options.maxDepth', o.maxDepth, 1);
  assertInteger('options.minSamplesLeaf', o.minSamplesLeaf, 1);
  assertInteger('options.minSamplesSplit', o.minSamplesSplit, 2);
  if (typeof o.maxFeatures === 'number') assertInteger('options.maxFeatures', o.maxFeatures, 1);
  else if (!['sqrt', 'log2', 'all'].includes(o.maxFeatures)) {
    throw invalidParameterError('options.maxFeatures', "'sqrt', 'log2', 'all' or a positive integer", o.maxFeatures);
  }
  if (typeof o.bootstrap !== 'boolean') throw invalidParameterError('options.bootstrap', 'boolean', o.bootstrap, 'type');
  assertInteger('options.seed', o.seed);
  return o;
}

/** Checks rows (equal-length finite Float32Arrays) and returns them column-major. */
function toColumns(rows: readonly Float32Array[], numFeatures?: number): { columns: Float32Array; n: number; d: number } {
  if (!Array.isArray(rows)) throw invalidParameterError('rows', 'array of Float32Array', rows, 'type');
  if (rows.length === 0) throw new ShapeError('Expected at least one row but received 0');
  const d = numFeatures ?? rows[0]!.length;
  if (d === 0) throw new ShapeError('Expected at least one feature per row but received 0');
  const n = rows.length;
  const columns = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    const row = rows[i];
    if (!(row instanceof Float32Array)) throw invalidParameterError(`rows[${i}]`, 'Float32Array', row, 'type');
    if (row.length !== d) throw new ShapeError(`Expected ${d} features in rows[${i}] but received ${row.length}`);
    for (let f = 0; f < d; f++) {
      const v = row[f]!;
      if (!Number.isFinite(v)) throw new NonFiniteError(`Expected finite number for rows[${i}][${f}] but received ${v}`);
      columns[f * n + i] = v;
    }
  }
  return { columns, n, d };
}

function featuresPerSplit(rule: MaxFeatures, d: number): number {
  if (typeof rule === 'number') return Math.min(rule, d);
  if (rule === 'all') return d;
  return Math.max(1, Math.floor(rule === 'sqrt' ? Math.sqrt(d) : Math.log2(d)));
}

// Order statistics by native numeric sort: a float32 value maps to an order-preserving
// uint32; key = that * 2^21 + position stays below 2^53, so Float64Array.sort() (no
// comparator, several times faster) orders positions by value. Larger nodes fall back
// to a comparator sort.
const POSITION_BITS = 2 ** 21;
const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

function sortableBits(value: number): number {
  f32[0] = value;
  const bits = u32[0]!;
  return bits & 0x80000000 ? ~bits >>> 0 : (bits | 0x80000000) >>> 0;
}

/** Positions 0..size-1 of `values` in ascending value order (written into `order`). */
function sortByValue(values: Float64Array, size: number, order: Int32Array, keys: Float64Array): Int32Array {
  if (size >= POSITION_BITS) {
    for (let k = 0; k < size; k++) order[k] = k;
    return order.subarray(0, size).sort((a, b) => values[a]! - values[b]!);
  }
  for (let k = 0; k < size; k++) keys[k] = sortableBits(values[k]!) * POSITION_BITS + k;
  const sortedKeys = keys.subarray(0, size).sort();
  for (let k = 0; k < size; k++) order[k] = sortedKeys[k]! % POSITION_BITS;
  return order.subarray(0, size);
}

/** Grows one CART tree on the samples `indices` (duplicates allowed). */
function growTree(
  columns: Float32Array,
  n: number,
  d: number,
  labels: Int32Array,
  numClasses: number,
  indices: Int32Array,
  o: Required<RandomForestOptions>,
  rng: Prng,
  importances: Float64Array,
): FlatTree {
  const feature: number[] = [];
  const threshold: number[] = [];
  const left: number[] = [];
  const right: number[] = [];
  const value: number[] = [];
  const mtry = featuresPerSplit(o.maxFeatures, d);
  const featureOrder = Int32Array.from({ length: d }, (_, f) => f);
  const values = new Float64Array(indices.length);
  const order = new Int32Array(indices.length);
  const keys = new Float64Array(indices.length);
  const leftCounts = new Float64Array(numClasses);
  const counts = new Float64Array(numClasses);

  // Explicit stack of [node, start, end, depth] over `indices`, partitioned in place.
  const newNode = (): number => {
    feature.push(-1);
    threshold.push(0);
    left.push(-1);
    right.push(-1);
    for (let c = 0; c < numClasses; c++) value.push(0);
    return feature.length - 1;
  };
  const stack: [number, number, number, number][] = [[newNode(), 0, indices.length, 0]];
  while (stack.length > 0) {
    const [node, start, end, depth] = stack.pop()!;
    const size = end - start;
    counts.fill(0);
    for (let k = start; k < end; k++) counts[labels[indices[k]!]!]! += 1;
    let sumSquares = 0;
    for (let c = 0; c < numClasses; c++) {
      value[node * numClasses + c] = counts[c]! / size;
      sumSquares += counts[c]! * counts[c]!;
    }
    const nodeImpurity = 1 - sumSquares / (size * size); // Gini
    if (depth >= o.maxDepth || size < o.minSamplesSplit || size < 2 * o.minSamplesLeaf || nodeImpurity <= 0) continue;

    // Try mtry features drawn without replacement (partial Fisher-Yates).
    let bestScore = -Infinity;
    let bestFeature = -1;
    let bestThreshold = 0;
    for (let j = 0; j < mtry; j++) {
      const swap = j + rng.int(d - j);
      const f = featureOrder[swap]!;
      featureOrder[swap] = featureOrder[j]!;
      featureOrder[j] = f;
      const base = f * n;
      for (let k = 0; k < size; k++) values[k] = columns[base + indices[start + k]!]!;
      const sorted = sortByValue(values, size, order, keys);
      leftCounts.fill(0);
      for (let k = 0; k < size - 1; k++) {
        leftCounts[labels[indices[start + sorted[k]!]!]!]! += 1;
        const here = values[sorted[k]!]!;
        const next = values[sorted[k + 1]!]!;
        if (here === next) continue;
        const nl = k + 1;
        const nr = size - nl;
        if (nl < o.minSamplesLeaf || nr < o.minSamplesLeaf) continue;
        // Minimising weighted Gini = maximising sum_c l_c^2 / nl + sum_c r_c^2 / nr.
        let sl = 0;
        let sr = 0;
        for (let c = 0; c < numClasses; c++) {
          const l = leftCounts[c]!;
          const r = counts[c]! - l;
          sl += l * l;
          sr += r * r;
        }
        const score = sl / nl + sr / nr;
        if (score > bestScore + 1e-12) {
          bestScore = score;
          bestFeature = f;
          const mid = (here + next) / 2;
          bestThreshold = mid < next ? mid : here;
        }
      }
    }
    if (bestFeature < 0) continue;

    // Partition indices[start, end) into <= threshold | > threshold.
    const base = bestFeature * n;
    let i = start;
    let j = end - 1;
    while (i <= j) {
      if (columns[base + indices[i]!]! <= bestThreshold) i++;
      else {
        const t = indices[i]!;
        indices[i] = indices[j]!;
        indices[j] = t;
        j--;
      }
    }
    importances[bestFeature]! += size * nodeImpurity - (size - bestScore); // n*gini - weighted child gini
    feature[node] = bestFeature;
    threshold[node] = bestThreshold;
    const l = newNode();
    const r = newNode();
    left[node] = l;
    right[node] = r;
    stack.push([r, i, end, depth + 1], [l, start, i, depth + 1]);
  }
  return {
    feature: Int32Array.from(feature),
    threshold: Float64Array.from(threshold),
    left: Int32Array.from(left),
    right: Int32Array.from(right),
    value: Float64Array.from(value),
  };
}

/**
 * Random forest classifier (CART, Gini, bootstrap, random feature subsets), seeded.
 * @example
 * const forest = new RandomForestClassifier({ trees: 200, maxDepth: 12, seed: 1 }).fit(rows, labels);
 * const probabilities = forest.predictProba(testRows); // one Float64Array per row
 * const classes = forest.predict(testRows);
 */
export class RandomForestClassifier {
  /** The options with defaults filled in. */
  readonly options: Readonly<Required<RandomForestOptions>>;
  private trees: FlatTree[] = [];
  private classes = 0;
  private features = 0;
  private importances = new Float64Array(0);

  /**
   * @param options - see {@link RandomForestOptions}; defaults in {@link RANDOM_FOREST_DEFAULTS}.
   * @throws {ArgumentTypeError | ArgumentRangeError} on an invalid option.
   */
  constructor(options: RandomForestOptions = {}) {
    this.options = Object.freeze(resolveOptions(options));
  }

  /** Number of classes seen by {@link fit} (1 + the largest label, at least 2); 0 before fitting. */
  get numClasses(): number {
    return this.classes;
  }

  /** Number of features per row seen by {@link fit}; 0 before fitting. */
  get numFeatures(): number {
    return this.features;
  }

  /**
   * Grows the forest.
   * @param rows - one Float32Array of features per sample, all of equal length, finite.
   * @param labels - class per sample, integers in [0, numClasses).
   * @returns this forest.
   * @throws {ShapeError} on empty data, rows of unequal length, or labels of another length.
   * @throws {NonFiniteError} on NaN or infinite features.
   * @throws {ArgumentRangeError} on labels that are not non-negative integers.
   * @example
   * forest.fit([Float32Array.of(0.1, 2), Float32Array.of(0.9, 1)], [0, 1]);
   */
  fit(rows: readonly Float32Array[], labels: NumericArray): this {
    const { columns, n, d } = toColumns(rows);
    const k = Math.max(2, assertLabels('labels', labels));
    assertSameLength({ rows, labels });
    const y = Int32Array.from(labels);
    const rng = createPrng(this.options.seed);
    const importances = new Float64Array(d);
    this.trees = [];
    for (let t = 0; t < this.options.trees; t++) {
      const sample = new Int32Array(n);
      for (let i = 0; i < n; i++) sample[i] = this.options.bootstrap ? rng.int(n) : i;
      this.trees.push(growTree(columns, n, d, y, k, sample, this.options, rng, importances));
    }
    const total = importances.reduce((a, b) => a + b, 0);
    this.importances = total > 0 ? importances.map((v) => v / total) : importances;
    this.classes = k;
    this.features = d;
    return this;
  }

  private assertFitted(): void {
    if (this.trees.length === 0) throw new ShapeError('call fit(rows, labels) before predicting');
  }

  /**
   * Class probabilities: the mean over trees of the leaf class frequencies.
   * @param rows - feature rows with {@link numFeatures} finite values each.
   * @returns one Float64Array of {@link numClasses} probabilities per row.
   * @throws {ShapeError} before {@link fit}, or on rows of the wrong length.
   * @throws {NonFiniteError} on NaN or infinite features.
   * @example
   * const [p] = forest.predictProba([Float32Array.of(0.8, 1.2)]); // p[1] = P(class 1)
   */
  predictProba(rows: readonly Float32Array[]): Float64Array[] {
    this.assertFitted();
    const { columns, n } = toColumns(rows, this.features);
    const k = this.classes;
    const out = Array.from({ length: n }, () => new Float64Array(k));
    for (const tree of this.trees) {
      for (let i = 0; i < n; i++) {
        let node = 0;
        while (tree.feature[node]! >= 0) {
          node = columns[tree.feature[node]! * n + i]! <= tree.threshold[node]! ? tree.left[node]! : tree.right[node]!;
        }
        const p = out[i]!;
        for (let c = 0; c < k; c++) p[c]! += tree.value[node * k + c]!;
      }
    }
    for (const p of out) for (let c = 0; c < k; c++) p[c]! /= this.trees.length;
    return out;
  }

  /**
   * Most probable class per row (the lowest class index on ties).
   * @param rows - feature rows.
   * @throws as {@link predictProba}.
   * @example
   * const classes = forest.predict(rows); // Int32Array
   */
  predict(rows: readonly Float32Array[]): Int32Array {
    return Int32Array.from(this.predictProba(rows), (p) => p.indexOf(Math.max(...p)));
  }

  /**
   * Mean decrease in Gini impurity per feature, normalised to sum 1.
   * @throws {ShapeError} before {@link fit}.
   * @example
   * forest.featureImportances(); // Float64Array summing to 1
   */
  featureImportances(): Float64Array {
    this.assertFitted();
    return this.importances.slice();
  }

  /**
   * Plain-object form for JSON; {@link RandomForestClassifier.fromJSON} restores it exactly.
   * @throws {ShapeError} before {@link fit}.
   * @example
   * fs.writeFileSync('forest.json', JSON.stringify(forest));
   */
  toJSON(): RandomForestJSON {
    this.assertFitted();
    return {
      options: { ...this.options },
      numClasses: this.classes,
      numFeatures: this.features,
      importances: Array.from(this.importances),
      trees: this.trees.map((t) => ({
        feature: Array.from(t.feature),
        threshold: Array.from(t.threshold),
        left: Array.from(t.left),
        right: Array.from(t.right),
        value: Array.from(t.value),
      })),
    };
  }

  /**
   * Rebuilds a fitted forest from {@link RandomForestClassifier.toJSON} output.
   * @param json - the serialised forest.
   * @throws {ArgumentTypeError | ArgumentRangeError} on invalid options or counts.
   * @example
   * const copy = RandomForestClassifier.fromJSON(JSON.parse(JSON.stringify(forest)));
   */
  static fromJSON(json: RandomForestJSON): RandomForestClassifier {
    const options = { ...json.options, maxDepth: json.options.maxDepth ?? Infinity };
    const forest = new RandomForestClassifier(options);
    forest.classes = assertInteger('json.numClasses', json.numClasses, 2);
    forest.features = assertInteger('json.numFeatures', json.numFeatures, 1);
    forest.importances = Float64Array.from(json.importances);
    forest.trees = json.trees.map((t) => ({
      feature: Int32Array.from(t.feature),
      threshold: Float64Array.from(t.threshold),
      left: Int32Array.from(t.left),
      right: Int32Array.from(t.right),
      value: Float64Array.from(t.value),
    }));
    return forest;
  }
}
