/**
 * Declarative label maps: zod-validated rules that turn a record's metadata (CSV row
 * fields, header comments, the record name) into an integer class label.
 * @module
 */
import { z } from 'zod';
import { parseConfig } from './config';

/** One rule; the first matching rule of a label map gives the label. */
export interface LabelRule {
  /** Label given when the rule matches (an integer >= 0). */
  label: number;
  /** Metadata field the rule reads, e.g. "Hypertrophies", "scp_codes", "record". */
  field: string;
  /** Regular expression (case-insensitive) the field must match. */
  pattern?: string | undefined;
  /**
   * For dict-valued fields such as PTB-XL `scp_codes` ("{'NORM': 100.0, 'SR': 0.0}"):
   * the rule matches when any of these codes is present with likelihood >= minLikelihood.
   */
  codes?: string[] | undefined;
  /** Likelihood threshold for `codes` (default 0, i.e. any listed code). */
  minLikelihood?: number | undefined;
}

/** A label map: class names, ordered rules and an optional fallback label. */
export interface LabelMap {
  /** Class names by label, e.g. ["control", "atrial"]. */
  classes: string[];
  rules: LabelRule[];
  /** Label when no rule matches; omit to treat the record as unlabelled. */
  otherwise?: number | undefined;
}

const RuleSchema = z.object({
  label: z.number().int().min(0),
  field: z.string().min(1),
  pattern: z.string().optional().refine((p) => {
    if (p === undefined) return true;
    try { new RegExp(p); return true; } catch { return false; }
  }, { message: 'pattern is not a valid regular expression' }),
  codes: z.array(z.string().min(1)).min(1).optional(),
  minLikelihood: z.number().min(0).max(100).optional(),
}).strict().refine((r) => (r.pattern === undefined) !== (r.codes === undefined), { message: 'a rule needs exactly one of "pattern" or "codes"' });

/** zod schema of {@link LabelMap}. */
export const LabelMapSchema = z.object({
  classes: z.array(z.string().min(1)).min(2),
  rules: z.array(RuleSchema).min(1),
  otherwise: z.number().int().min(0).optional(),
}).strict().superRefine((m, ctx) => {
  const max = m.classes.length - 1;
  m.rules.forEach((r, i) => {
    if (r.label > max) ctx.addIssue({ code: 'custom', path: ['rules', i, 'label'], message: `label ${r.label} has no class name (classes: ${m.classes.length})` });
  });
  if (m.otherwise !== undefined && m.otherwise > max) ctx.addIssue({ code: 'custom', path: ['otherwise'], message: `label ${m.otherwise} has no class name` });
});

/**
 * Validates a label map.
 * @throws {ConfigError} listing each problem
 * @example
 * const map = parseLabelMap(JSON.parse(fs.readFileSync('labels.json', 'utf8')));
 */
export function parseLabelMap(value: unknown): LabelMap {
  return parseConfig('label map', LabelMapSchema, value) as LabelMap;
}

/**
 * Parses a Python-dict-like code string such as PTB-XL's `"{'NORM': 100.0, 'SR': 0.0}"`.
 * @returns code -> likelihood; an empty map for text that holds no pairs
 * @example
 * parseCodeDict("{'AFIB': 100.0}").get('AFIB'); // 100
 */
export function parseCodeDict(text: string): Map<string, number> {
  const out = new Map<string, number>();
  const re = /['"]([^'"]+)['"]\s*:\s*([-+]?\d+(?:\.\d*)?(?:[eE][-+]?\d+)?)/g;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) out.set(m[1]!, Number(m[2]));
  return out;
}

/**
 * Applies a label map to one record's metadata.
 * @param map - a validated label map
 * @param meta - field -> text (missing fields never match)
 * @returns the label, or `undefined` when no rule matches and there is no `otherwise`
 * @example
 * applyLabelMap(LUDB_ATRIAL_LABELS, { Hypertrophies: 'Left atrial hypertrophy' }); // 1
 */
export function applyLabelMap(map: LabelMap, meta: Readonly<Record<string, string | undefined>>): number | undefined {
  for (const rule of map.rules) {
    const value = meta[rule.field];
    if (value === undefined) continue;
    if (rule.pattern !== undefined) {
      if (new RegExp(rule.pattern, 'i').test(value)) return rule.label;
    } else if (rule.codes !== undefined) {
      const dict = parseCodeDict(value);
      const min = rule.minLikelihood ?? 0;
      if (rule.codes.some((c) => dict.has(c) && dict.get(c)! >= min)) return rule.label;
    }
  }
  return map.otherwise;
}

/** LUDB default: 1 when "Hypertrophies" names left or right atrial enlargement / overload / hypertrophy. */
export const LUDB_ATRIAL_LABELS: LabelMap = {
  classes: ['no-atrial-enlargement', 'atrial-enlargement'],
  rules: [{ label: 1, field: 'Hypertrophies', pattern: '(left|right) atrial (enlargement|overload|hypertrophy)' }],
  otherwise: 0,
};

/** PTB-XL default: 1 for left/right atrial overload/enlargement statements (likelihood >= 50). */
export const PTBXL_ATRIAL_LABELS: LabelMap = {
  classes: ['no-atrial-enlargement', 'atrial-enlargement'],
  rules: [{ label: 1, field: 'scp_codes', codes: ['LAO/LAE', 'RAO/RAE'], minLikelihood: 50 }],
  otherwise: 0,
};

/**
 * PTB-XL rhythm: atrial fibrillation (1, `AFIB` present) vs sinus rhythm (0, `SR` present);
 * records with neither are unlabelled. The bundled `ptbxl-af` set uses it.
 */
export const PTBXL_AF_LABELS: LabelMap = {
  classes: ['sinus-rhythm', 'atrial-fibrillation'],
  rules: [
    { label: 1, field: 'scp_codes', codes: ['AFIB'] },
    { label: 0, field: 'scp_codes', codes: ['SR'] },
  ],
};

/** afpdb default: records n* are controls (0), p* are PAF patients (1). */
export const AFPDB_PAF_LABELS: LabelMap = {
  classes: ['control', 'paf'],
  rules: [
    { label: 0, field: 'record', pattern: '^n\\d' },
    { label: 1, field: 'record', pattern: '^p\\d' },
  ],
};
