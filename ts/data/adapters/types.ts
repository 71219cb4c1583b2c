/**
 * What every dataset adapter returns: labelled WFDB records with patient ids, plus
 * counts of records skipped in lenient mode.
 * @module
 */
import { FormatError } from '../../errors';
import type { LabelMap } from '../label-map';

/** One labelled record of a dataset. */
export interface DatasetRecord {
  /** Record id, unique within the dataset. */
  id: string;
  /** WFDB record path without extension. */
  path: string;
  /** Patient (subject) id; records of one patient always land in the same split set. */
  patient: string;
  label: number;
  /** Metadata the label map read (CSV row fields, record name). */
  meta: Record<string, string>;
}

/** Records listed by an adapter. */
export interface DatasetListing {
  dataset: string;
  records: DatasetRecord[];
  /** Class names by label. */
  classes: string[];
  /** Lead names used when the caller names none. */
  defaultLeads: (string | number)[];
  /** Records skipped in lenient mode, by reason. */
  skipped: Record<string, number>;
}

/** Options shared by the adapters. */
export interface AdapterOptions {
  /** Label map replacing the adapter's default. */
  labelMap?: LabelMap | undefined;
  /** Skip (and count) records with a missing label or patient instead of throwing (default false). */
  lenient?: boolean | undefined;
}

/**
 * Throws `error` in strict mode; in lenient mode counts `reason` instead.
 * @example
 * skipOrThrow(false, skipped, 'missing-label', new FormatError('no label'));
 */
export function skipOrThrow(lenient: boolean, skipped: Record<string, number>, reason: string, error: FormatError): void {
  if (!lenient) throw error;
  skipped[reason] = (skipped[reason] ?? 0) + 1;
}
