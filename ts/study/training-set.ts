/**
 * The arms of the study and the training set of each: real + ratio x |real| synthetic
 * segments (ratio 0 is the real-only baseline, TRTR), or synthetic segments alone (TSTR,
 * as many as there are real training segments).
 * @module
 */
import type { ReferenceDataset } from '../data/npz';
import type { StudyInputs } from './inputs';
import { drawBalancedSynthetic, type SyntheticDraw } from './synthetic-draw';

/** One way of composing the training set. */
export type StudyArm = { kind: 'ratio'; ratio: number } | { kind: 'tstr' };

/**
 * The short name of an arm, used in run ids and reports: "ratio 0", "ratio 2", "TSTR".
 * @example
 * armName({ kind: 'ratio', ratio: 5 }); // 'ratio 5'
 */
export function armName(arm: StudyArm): string {
  return arm.kind === 'tstr' ? 'TSTR' : `ratio ${arm.ratio}`;
}

/** A training set with its composition. */
export interface ArmTrainingSet extends ReferenceDataset {
  realSegments: number;
  synthetic: SyntheticDraw;
}

/** `base`'s segments (none when null) followed by the segments of `source` at `indices`. */
function concatSegments(base: ReferenceDataset | null, source: ReferenceDataset, indices: Int32Array): ReferenceDataset {
  const [, length, leads] = source.shape;
  const per = length * leads;
  const first = base?.shape[0] ?? 0;
  const n = first + indices.length;
  const data = new Float32Array(n * per);
  const labels = new Int32Array(n);
  if (base) {
    data.set(base.data);
    labels.set(base.labels);
  }
  indices.forEach((index, k) => {
    data.set(source.data.subarray(index * per, (index + 1) * per), (first + k) * per);
    labels[first + k] = source.labels[index]!;
  });
  return { data, shape: [n, length, leads], labels };
}

/**
 * Builds the training set of an arm. The synthetic draw is label-balanced and seeded by
 * `drawSeed`; with one seed the draws of growing ratios are nested.
 * @param inputs - the study inputs
 * @param arm - ratio (real + round(ratio x |real|) synthetic) or TSTR (|real| synthetic alone)
 * @param drawSeed - seed of the synthetic draw (one per repeat)
 * @example
 * const train = armTrainingSet(inputs, { kind: 'ratio', ratio: 2 }, 11);
 */
export function armTrainingSet(inputs: StudyInputs, arm: StudyArm, drawSeed: number): ArmTrainingSet {
  const realCount = inputs.train.shape[0];
  const count = arm.kind === 'tstr' ? realCount : Math.round(arm.ratio * realCount);
  const synthetic = drawBalancedSynthetic(inputs.synthetic.labels, count, drawSeed);
  const base = arm.kind === 'tstr' ? null : inputs.train;
  return { ...concatSegments(base, inputs.synthetic, synthetic.indices), realSegments: base ? realCount : 0, synthetic };
}
