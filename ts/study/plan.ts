/**
 * The grid of an augmentation study: every model x arm x repeat, with the seeds of each
 * run. Within a repeat, every arm of a model trains with the same model seed and the
 * same synthetic-draw seed, so two arms differ only in their training data (a paired
 * design), and the synthetic draws of growing ratios are nested.
 * @module
 */
import * as crypto from 'node:crypto';
import type { ResolvedStudyConfig } from './config';
import type { StudyRunKey } from './results-store';
import { armName, type StudyArm } from './training-set';

/** A run of the grid with its seeds. */
export interface PlannedRun extends StudyRunKey {
  /** Model seed: the study seed + the repeat. */
  seed: number;
  /** Seed of the synthetic draw, derived from the study seed and the repeat. */
  drawSeed: number;
}

/**
 * The arms of a study: each ratio (ascending, 0 first), then TSTR when enabled.
 * @example
 * studyArms(cfg); // [{kind:'ratio',ratio:0}, {kind:'ratio',ratio:1}, ..., {kind:'tstr'}]
 */
export function studyArms(config: Pick<ResolvedStudyConfig, 'ratios' | 'tstr'>): StudyArm[] {
  const arms: StudyArm[] = config.ratios.map((ratio) => ({ kind: 'ratio', ratio }));
  if (config.tstr) arms.push({ kind: 'tstr' });
  return arms;
}

/**
 * The id of a run: "model/arm/repeat k", e.g. "ecgnet/ratio 2/repeat 0".
 * @example
 * runId('rf', { kind: 'tstr' }, 1); // 'rf/TSTR/repeat 1'
 */
export function runId(model: string, arm: StudyArm, repeat: number): string {
  return `${model}/${armName(arm)}/repeat ${repeat}`;
}

/** A 31-bit seed from a text label, so independent streams do not share a sequence. */
function derivedSeed(label: string): number {
  return crypto.createHash('sha256').update(label).digest().readUInt32BE(0) >>> 1;
}

/**
 * Every run of the study, model by model, repeat by repeat, the baseline (ratio 0) first.
 * @param config - models, ratios, tstr, repeats and seed of a resolved config
 * @example
 * planStudy(cfg).length; // models x (ratios + TSTR) x repeats
 */
export function planStudy(config: Pick<ResolvedStudyConfig, 'models' | 'ratios' | 'tstr' | 'repeats' | 'seed'>): PlannedRun[] {
  const runs: PlannedRun[] = [];
  for (const model of config.models) {
    for (let repeat = 0; repeat < config.repeats; repeat++) {
      const drawSeed = derivedSeed(`ecg-ldm synthetic draw ${config.seed} ${repeat}`);
      for (const arm of studyArms(config)) {
        runs.push({ id: runId(model, arm, repeat), model, arm, repeat, seed: config.seed + repeat, drawSeed });
      }
    }
  }
  return runs;
}
