/** Readers of the PyWavelets golden files in shared/golden/wavelet/ (see its README). */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** shared/golden, beside the repository (override: ECG_LDM_SHARED_GOLDEN). */
export const SHARED_GOLDEN =
  process.env['ECG_LDM_SHARED_GOLDEN'] ?? path.resolve(__dirname, '../../../../../shared/golden');

export interface WavedecCase {
  signal: string;
  wavelet: string;
  mode: string;
  level: number;
  coeffs: number[][];
  waverec: number[];
}
export interface DenoiseCase {
  signal: string;
  threshold: number;
  output: number[];
}
export interface ThresholdCase {
  mode: 'soft' | 'hard' | 'garrote';
  value: number;
  input: number[];
  output: number[];
}
export type FilterCase = Record<string, { dec_lo: number[]; dec_hi: number[]; rec_lo: number[]; rec_hi: number[] }>;

export function readGolden<T>(file: string): T {
  return JSON.parse(fs.readFileSync(path.join(SHARED_GOLDEN, 'wavelet', file), 'utf8')) as T;
}

export const signals = (): Record<string, number[]> =>
  readGolden<{ signals: Record<string, number[]> }>('signals.json').signals;

/** Largest |a[i] - b[i]| over the shorter length. */
export function maxAbsError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < Math.min(a.length, b.length); i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

/** Largest |v|, at least 1: float32 tolerances scale with the magnitude of the values. */
export function scale(values: ArrayLike<number>): number {
  let m = 1;
  for (let i = 0; i < values.length; i++) m = Math.max(m, Math.abs(values[i]!));
  return m;
}
