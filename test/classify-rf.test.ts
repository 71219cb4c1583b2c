import test from 'ava';
import { NonFiniteError, RandomForestClassifier, ShapeError, accuracy } from 'ecg-ldm';

/** Gaussian-ish blobs: class c centred at c * 3 on the first two of `d` features. */
function blobs(n: number, d: number, classes: number, seed: number) {
  let s = seed;
  const rand = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  const normal = () => Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());
  const rows: Float32Array[] = [];
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = i % classes;
    const row = new Float32Array(d);
    for (let f = 0; f < d; f++) row[f] = normal() + (f < 2 ? 3 * c : 0);
    rows.push(row);
    labels.push(c);
  }
  return { rows, labels };
}

test('separates an easy synthetic set with accuracy > 0.95', (t) => {
  const train = blobs(400, 8, 2, 1);
  const held = blobs(400, 8, 2, 2);
  const forest = new RandomForestClassifier({ trees: 50, seed: 1 }).fit(train.rows, train.labels);
  const acc = accuracy(held.labels, forest.predict(held.rows));
  t.true(acc > 0.95, `accuracy ${acc}`);
  const importances = forest.featureImportances();
  t.true(importances[0]! + importances[1]! > 0.5, Array.from(importances).join(','));
  t.true(Math.abs(importances.reduce((a, b) => a + b, 0) - 1) < 1e-9);
});

test('three classes, probabilities sum to 1', (t) => {
  const train = blobs(300, 4, 3, 3);
  const held = blobs(300, 4, 3, 4);
  const forest = new RandomForestClassifier({ trees: 30, maxDepth: 8, minSamplesLeaf: 2, seed: 2 }).fit(
    train.rows,
    train.labels,
  );
  t.is(forest.numClasses, 3);
  for (const p of forest.predictProba(held.rows)) t.true(Math.abs(p.reduce((a, b) => a + b, 0) - 1) < 1e-9);
  t.true(accuracy(held.labels, forest.predict(held.rows)) > 0.9);
});

test('needs interactions: XOR is learned by deeper trees', (t) => {
  const rows: Float32Array[] = [];
  const labels: number[] = [];
  for (let i = 0; i < 400; i++) {
    const x = (i * 7919) % 101 / 50 - 1;
    const y = (i * 104729) % 97 / 48 - 1;
    rows.push(Float32Array.of(x, y));
    labels.push(x * y > 0 ? 1 : 0);
  }
  const forest = new RandomForestClassifier({ trees: 20, maxFeatures: 'all', seed: 5 }).fit(rows, labels);
  t.true(accuracy(labels, forest.predict(rows)) > 0.95);
  const stump = new RandomForestClassifier({ trees: 20, maxDepth: 1, seed: 5 }).fit(rows, labels);
  t.true(accuracy(labels, stump.predict(rows)) < 0.8);
});

test('deterministic for a seed; JSON round trip predicts the same', (t) => {
  const { rows, labels } = blobs(200, 6, 2, 6);
  const a = new RandomForestClassifier({ trees: 15, seed: 42 }).fit(rows, labels).predictProba(rows);
  const forest = new RandomForestClassifier({ trees: 15, seed: 42 }).fit(rows, labels);
  t.deepEqual(forest.predictProba(rows), a);
  const other = new RandomForestClassifier({ trees: 15, seed: 43 }).fit(rows, labels).predictProba(rows);
  t.notDeepEqual(other, a);
  const copy = RandomForestClassifier.fromJSON(JSON.parse(JSON.stringify(forest)));
  t.deepEqual(copy.predictProba(rows), a);
  t.is(copy.options.maxDepth, Infinity);
});

test('thresholds on negative values and zero are placed between the classes', (t) => {
  const rows = [-3, -2, -1.5, -0.75, -0.25, 0, 0.5, 2].map((v) => Float32Array.of(v));
  const labels = [0, 0, 0, 0, 1, 1, 1, 1];
  const forest = new RandomForestClassifier({ trees: 1, bootstrap: false }).fit(rows, labels);
  t.deepEqual(Array.from(forest.predict([Float32Array.of(-0.6), Float32Array.of(-0.4), Float32Array.of(-0)])), [0, 1, 1]);
});

test('validates options and data', (t) => {
  t.throws(() => new RandomForestClassifier({ trees: 0 }), { instanceOf: RangeError });
  t.throws(() => new RandomForestClassifier({ maxFeatures: 'half' as never }), { instanceOf: RangeError });
  const forest = new RandomForestClassifier({ trees: 2 });
  t.throws(() => forest.predict([Float32Array.of(1)]), { instanceOf: ShapeError, message: /call fit/ });
  t.throws(() => forest.fit([Float32Array.of(1, 2), Float32Array.of(1)], [0, 1]), { instanceOf: ShapeError });
  t.throws(() => forest.fit([Float32Array.of(1, Number.NaN)], [0]), { instanceOf: NonFiniteError });
  t.throws(() => forest.fit([Float32Array.of(1), Float32Array.of(2)], [0, 0.5]), { instanceOf: RangeError });
  t.throws(() => forest.fit([Float32Array.of(1), Float32Array.of(2)], [0]), { instanceOf: ShapeError });
  forest.fit([Float32Array.of(0), Float32Array.of(1)], [0, 1]);
  t.throws(() => forest.predict([Float32Array.of(1, 2)]), { instanceOf: ShapeError });
});
