/**
 * Writes the study report next to results.json: a self-contained `report.html`
 * (inputs, settings, the table of every model and arm with patient intervals, paired
 * gains and verdicts, the TSTR/TRTR pair, both plots inline) and the two plots as
 * `scatter.svg` and `gain-by-ratio.svg`.
 * @module
 */
import * as path from 'node:path';
import type { ConfidenceInterval } from '../evaluate/bootstrap';
import { escapeXml } from '../report/svg';
import { writeFileAtomic } from '../data/write-file';
import { augmentationScatter, gainByRatioPlot } from './plots';
import type { StudyResults } from './results-store';
import { STUDY_METRICS, studyMetricNames, type StudyMetricName } from './scoring';
import type { StudyCell, StudySummary } from './summary';

/** Files written by {@link writeStudyReport}. */
export interface StudyReportFiles {
  html: string;
  scatter: string;
  gainByRatio: string;
}

const number = (v: number, digits = 3): string => (Number.isFinite(v) ? v.toFixed(digits) : '–');
const signed = (v: number): string => (Number.isFinite(v) && v > 0 ? '+' : '') + number(v);
const interval = (ci: ConfidenceInterval, format = number): string => `${format(ci.value)} <span class="ci">[${format(ci.low)}, ${format(ci.high)}]</span>`;

function table(head: string[], rows: string[][]): string {
  const th = head.map((h) => `<th>${h}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('\n');
  return `<table><thead><tr>${th}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

function verdictCell(cell: StudyCell): string {
  if (cell.gain === null) return '<span class="baseline">baseline</span>';
  const v = cell.gain.verdict;
  return `<span class="${v === 'significant gain' ? 'gain' : v === 'significant loss' ? 'loss' : 'none'}">${v}</span>`;
}

/** The metrics shown beside the primary one in the main table. */
const secondaryMetrics = (primary: StudyMetricName): StudyMetricName[] => (primary === 'accuracy' ? [] : ['accuracy']);

function gainRow(cell: StudyCell, primary: StudyMetricName): string[] {
  const gain = cell.gain;
  const difference = (name: StudyMetricName) => (gain?.metrics[name] ? interval(gain.metrics[name]!, signed) : '');
  const metric = cell.metrics[primary]!;
  return [
    escapeXml(cell.model),
    escapeXml(cell.armName),
    `${cell.trainSegments.real} + ${cell.trainSegments.synthetic}`,
    `${interval(metric)} <span class="ci">± ${number(metric.sd)}</span>`,
    difference(primary),
    ...secondaryMetrics(primary).flatMap((name) => [interval(cell.metrics[name]!), difference(name)]),
    gain ? gain.tests.map((t) => number(t.mcnemar.pValue, 2)).join(', ') : '',
    verdictCell(cell),
  ];
}

function sections(results: StudyResults, summary: StudySummary, plots: { scatter: string; gainByRatio: string }): string {
  const { config, inputs } = results;
  const primary = summary.primaryMetric;
  const label = STUDY_METRICS[primary].label;
  const perClass = (counts: Record<number, number>) => Object.entries(counts).map(([c, n]) => `${c}: ${n}`).join(', ');
  const inputRows = (['train', 'val', 'test', 'synthetic'] as const).map((role) => {
    const s = inputs[role];
    return [role, escapeXml(s.file), String(s.segments), s.patients === undefined ? '–' : `${s.patients} (${s.patientSource})`, perClass(s.perClass)];
  });
  const names = studyMetricNames(inputs.numClasses);
  const tstrRows = config.tstr
    ? summary.cells.filter((c) => c.arm.kind === 'tstr').map((c) => {
        const trtr = summary.cells.find((b) => b.model === c.model && b.gain === null)!;
        return [escapeXml(c.model), interval(trtr.metrics[primary]!), interval(c.metrics[primary]!), interval(c.gain!.metrics[primary]!, signed), verdictCell(c)];
      })
    : [];
  return [
    `<h1>Augmentation-ratio study</h1>`,
    `<p>${results.runs.length} runs; updated ${escapeXml(results.updatedAt)}; run hash <code>${results.runHash.slice(0, 12)}</code>.</p>`,
    `<h2>Inputs</h2>`,
    table(['set', 'file', 'segments', 'patients (source)', 'segments per class'], inputRows),
    `<p>Segments of ${inputs.length} samples x ${inputs.leads} lead(s), ${inputs.numClasses} classes. No patient is in two of train / val / test.</p>`,
    `<h2>Settings</h2>`,
    `<p>Models ${escapeXml(config.models.join(', '))}; ratios ${config.ratios.join(', ')}${config.tstr ? ' and TSTR' : ''}; ` +
      `${config.repeats} repeat(s) (model seed ${config.seed} + repeat); neural models: ${config.epochs} epochs max, batch ${config.batchSize}, ` +
      `lr ${config.lr}, early stopping on the real validation set (patience ${config.patience}); random forests: ${config.forestTrees} trees. ` +
      `Intervals: ${Math.round(config.confidence * 100)}% percentile bootstrap over test patients, ${config.bootstrapIterations} replicates.</p>`,
    `<h2>How to read</h2>`,
    `<p>Each row is one model trained on the real training set plus <i>ratio</i> x its size of label-balanced synthetic segments ` +
      `(ratio 0 = real only, the baseline; TSTR = synthetic only, as many as the real set), tested on the untouched test patients. ` +
      `Values are means over repeats; brackets give the ${Math.round(config.confidence * 100)}% interval over test patients, ± the spread over repeats. ` +
      `Δ is the paired difference to the baseline of the same model on the same resampled patients. The verdict reads ` +
      `<b>no significant gain</b> whenever the interval of Δ ${escapeXml(label)} covers 0. McNemar p-values compare each repeat's predicted classes ` +
      `with its baseline's. Many rows are tested at once: an occasional "significant" row is expected by chance alone.</p>`,
    `<h2>${escapeXml(label)} by model and arm</h2>`,
    table(
      [
        'model', 'arm', 'train (real + synthetic)', escapeXml(label), `Δ ${escapeXml(label)}`,
        ...secondaryMetrics(primary).flatMap((name) => [STUDY_METRICS[name].label, `Δ ${STUDY_METRICS[name].label}`]),
        'McNemar p', `verdict (${escapeXml(label)})`,
      ],
      summary.cells.map((c) => gainRow(c, primary)),
    ),
    config.tstr ? `<h2>TSTR vs TRTR</h2>` + table(['model', `TRTR ${escapeXml(label)}`, `TSTR ${escapeXml(label)}`, 'Δ (TSTR − TRTR)', `verdict (${escapeXml(label)})`], tstrRows) : '',
    `<h2>Plots</h2>`,
    `<figure>${plots.scatter}<figcaption>Per model and ratio: real only (x) against real + synthetic (y), with patient intervals; above the diagonal means a gain.</figcaption></figure>`,
    `<figure>${plots.gainByRatio}<figcaption>Gain over real only (same model, same repeat) by synthetic ratio.</figcaption></figure>`,
    `<h2>All metrics</h2>`,
    table(['model', 'arm', ...names.map((n) => escapeXml(STUDY_METRICS[n].label))], summary.cells.map((c) => [escapeXml(c.model), escapeXml(c.armName), ...names.map((n) => interval(c.metrics[n]!))])),
  ].join('\n');
}

const STYLE = `body{font-family:system-ui,sans-serif;margin:2em;max-width:1200px;color:#222}
table{border-collapse:collapse;margin:1em 0;font-size:14px}th,td{border:1px solid #ccc;padding:4px 8px;text-align:left}
th{background:#f3f3f3}.ci{color:#666;font-size:12px}.gain{color:#0a7d32;font-weight:bold}.loss{color:#b00020;font-weight:bold}
.none{color:#555}.baseline{color:#999}figure{margin:1em 0}figcaption{font-size:13px;color:#555}`;

/**
 * Writes report.html, scatter.svg and gain-by-ratio.svg into `out`.
 * @param out - the study's output folder
 * @param results - results with a summary (a complete study)
 * @returns the paths written
 * @throws {IoError} a file cannot be written
 * @example
 * const files = writeStudyReport('study/', store.contents);
 */
export function writeStudyReport(out: string, results: StudyResults & { summary: StudySummary }): StudyReportFiles {
  const plots = { scatter: augmentationScatter(results.summary), gainByRatio: gainByRatioPlot(results.summary) };
  const files = { html: path.join(out, 'report.html'), scatter: path.join(out, 'scatter.svg'), gainByRatio: path.join(out, 'gain-by-ratio.svg') };
  writeFileAtomic(files.scatter, plots.scatter + '\n');
  writeFileAtomic(files.gainByRatio, plots.gainByRatio + '\n');
  writeFileAtomic(
    files.html,
    `<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>Augmentation-ratio study</title><style>${STYLE}</style></head>\n<body>\n` +
      sections(results, results.summary, plots) +
      '\n</body></html>\n',
  );
  return files;
}
