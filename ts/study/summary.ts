/**
 * The summary of a finished study: one cell per model and arm, holding each metric
 * averaged over the repeats with its patient-bootstrap interval, and — for every arm
 * but the baseline — the paired gain over the real-only baseline (ratio 0, same model,
 * same repeats) on the same test patients, with its verdict.
 * @module
 */
import type { ConfidenceInterval } from '../evaluate/bootstrap';
import { invalidParameterError } from '../is';
import type { GainVerdict, PairedDifference } from '../evaluate/compare';
import type { ResolvedStudyConfig, StudyModel } from './config';
import { planStudy, runId, studyArms } from './plan';
import type { StudyRunRecord } from './results-store';
import {
  metricIntervals,
  pairedGain,
  pairedRunTests,
  studyMetricNames,
  type PairedRunTests,
  type StudyMetricName,
  type TestTruth,
} from './scoring';
import { armName, type StudyArm } from './training-set';

/** A metric of a cell: the mean over repeats, its interval over test patients, and the spread over repeats. */
export interface StudyCellMetric extends ConfidenceInterval {
  /** Sample standard deviation over repeats (0 for one repeat). */
  sd: number;
  /** The metric of each repeat. */
  perRepeat: number[];
}

/** The paired gain of a cell over the baseline of the same model. */
export interface StudyCellGain {
  /** Difference (cell - baseline) of the primary metric and of accuracy, with paired patient-bootstrap intervals. */
  metrics: Partial<Record<StudyMetricName, PairedDifference>>;
  /** The primary metric's verdict: "no significant gain" whenever its interval covers 0. */
  verdict: GainVerdict;
  /** Primary-metric difference of each repeat's pair of runs. */
  perRepeat: number[];
  /** McNemar (and DeLong for two classes) of each repeat's pair of runs. */
  tests: PairedRunTests[];
}

/** One model x arm of the study. */
export interface StudyCell {
  model: StudyModel;
  arm: StudyArm;
  armName: string;
  repeats: number;
  /** Training segments of one run (the same in every repeat). */
  trainSegments: { real: number; synthetic: number };
  metrics: Partial<Record<StudyMetricName, StudyCellMetric>>;
  /** Null for the baseline itself. */
  gain: StudyCellGain | null;
}

/** Everything the report shows. */
export interface StudySummary {
  primaryMetric: StudyMetricName;
  /** The arm gains are measured against. */
  baseline: string;
  cells: StudyCell[];
}

function standardDeviation(values: readonly number[]): number {
  if (values.length < 2) return 0;
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / (values.length - 1));
}

/**
 * Summarises the finished runs of a study's grid.
 * @param config - the resolved config (grid, bootstrap options, primary metric)
 * @param runs - finished runs; every run of the grid must be among them
 * @param truth - the test labels, patients and classes
 * @throws {ArgumentRangeError} a run of the grid is missing
 * @example
 * const summary = summarizeStudy(cfg, store.runs, truth);
 */
export function summarizeStudy(config: ResolvedStudyConfig, runs: readonly StudyRunRecord[], truth: TestTruth): StudySummary {
  const byId = new Map(runs.map((r) => [r.id, r]));
  const missing = planStudy(config).filter((p) => !byId.has(p.id));
  if (missing.length > 0) throw invalidParameterError('runs', 'every run of the grid', `${missing.length} missing (first: ${missing[0]!.id})`);
  const bootstrap = { iterations: config.bootstrapIterations, confidence: config.confidence, seed: config.seed };
  const repeats = Array.from({ length: config.repeats }, (_, k) => k);
  const primary = config.primaryMetric;
  const compared = [...new Set<StudyMetricName>([primary, 'accuracy'])];
  const baseline: StudyArm = { kind: 'ratio', ratio: 0 };
  const cells: StudyCell[] = [];
  for (const model of config.models) {
    const runsOf = (arm: StudyArm) => repeats.map((k) => byId.get(runId(model, arm, k))!);
    const baseRuns = runsOf(baseline);
    const baseProbabilities = baseRuns.map((r) => r.probabilities);
    for (const arm of studyArms(config)) {
      const armRuns = runsOf(arm);
      const probabilities = armRuns.map((r) => r.probabilities);
      const intervals = metricIntervals(truth, probabilities, bootstrap);
      const metrics: Partial<Record<StudyMetricName, StudyCellMetric>> = {};
      for (const name of studyMetricNames(truth.numClasses)) {
        const perRepeat = armRuns.map((r) => r.metrics[name]!.value);
        metrics[name] = { ...intervals[name]!, sd: standardDeviation(perRepeat), perRepeat };
      }
      const isBaseline = arm.kind === 'ratio' && arm.ratio === 0;
      let gain: StudyCellGain | null = null;
      if (!isBaseline) {
        const differences: Partial<Record<StudyMetricName, PairedDifference>> = {};
        for (const name of compared) differences[name] = pairedGain(truth, name, probabilities, baseProbabilities, bootstrap);
        gain = {
          metrics: differences,
          verdict: differences[primary]!.verdict,
          perRepeat: armRuns.map((r, k) => r.metrics[primary]!.value - baseRuns[k]!.metrics[primary]!.value),
          tests: armRuns.map((r, k) => pairedRunTests(truth, r.probabilities, baseRuns[k]!.probabilities)),
        };
      }
      const first = armRuns[0]!;
      cells.push({
        model,
        arm,
        armName: armName(arm),
        repeats: armRuns.length,
        trainSegments: { real: first.trainSegments.real, synthetic: first.trainSegments.synthetic },
        metrics,
        gain,
      });
    }
  }
  return { primaryMetric: primary, baseline: armName(baseline), cells };
}
