/**
 * The demo's self-contained report.html: the dataset, a preprocessing example, real and
 * generated segments per label on ECG paper, the generation figures, the classifier
 * table with patient intervals and verdicts, timings and versions. Inline SVG only: it
 * opens with no network.
 * @module
 */
import type { DefaultDatasetInfo } from '../data/default-data';
import type { ConfidenceInterval } from '../evaluate/bootstrap';
import type { SegmentStatistics } from '../evaluate/real-vs-synthetic';
import { STUDY_METRICS } from '../study/scoring';
import type { StudySummary } from '../study/summary';
import { ecgGridSvg, realVsGeneratedColumns } from './ecg-grid';
import { escapeXml } from './svg';

/** Everything {@link demoReportHtml} shows. */
export interface DemoReport {
  dataset: DefaultDatasetInfo;
  versions: { ecgLdm: string; torch: string; node: string; threads: number; cpu: string; cores: number };
  sets: Record<string, { segments: number; patients: number; perClass: number[] }>;
  /** Samples per segment. */
  length: number;
  /** One training segment before and after preprocessing. */
  preprocessExample: { raw: Float32Array; clean: Float32Array };
  /** Where the generator came from, in words. */
  generatorSource: string;
  examples: { real: Float32Array; realLabels: ArrayLike<number>; generated: Float32Array; generatedLabels: ArrayLike<number> };
  perLabel: Array<{ label: number; name: string; realSegments: number; generatedSegments: number; real: SegmentStatistics; generated: SegmentStatistics }>;
  forest: ConfidenceInterval;
  /** `training`: how the classifiers were trained and stopped, in words. */
  study: { summary: StudySummary; report: string; repeats: number; training: string };
  /** Seconds per stage, and total. */
  timings: Record<string, number>;
}

const three = (v: number): string => (Number.isFinite(v) ? v.toFixed(3) : '–');
const interval = (ci: ConfidenceInterval): string => `${three(ci.value)} <span class="ci">[${three(ci.low)}, ${three(ci.high)}]</span>`;

function table(head: string[], rows: string[][]): string {
  return `<table><thead><tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody>\n` +
    rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('\n') + '\n</tbody></table>';
}

function rhythm(s: SegmentStatistics, segments: number): string {
  if (s.heartRate.segments === 0) return `no segment with 3 or more detected beats (of ${segments})`;
  return `${s.heartRate.median.toFixed(0)}/min <span class="ci">IQR ${s.heartRate.p25.toFixed(0)}-${s.heartRate.p75.toFixed(0)}; ${s.heartRate.segments} of ${segments} segments with beats</span>`;
}

function amplitudeRange(...traces: Float32Array[]): [number, number] {
  let low = Infinity, high = -Infinity;
  for (const t of traces) for (const v of t) if (Number.isFinite(v)) { low = Math.min(low, v); high = Math.max(high, v); }
  const pad = 0.1 * Math.max(1e-6, high - low);
  return [Math.floor((low - pad) * 2) / 2, Math.ceil((high + pad) * 2) / 2];
}

function classifierRows(summary: StudySummary): string[][] {
  const primary = summary.primaryMetric;
  return summary.cells.map((c) => {
    const arm = c.arm.kind === 'tstr' ? 'synthetic only (TSTR)' : c.gain === null ? 'real only (TRTR)' : `real + synthetic, ratio ${c.armName.replace(/^ratio\s*/, '')}`;
    const gain = c.gain?.metrics[primary];
    const verdict = c.gain === null ? '<span class="baseline">baseline</span>'
      : `<span class="${c.gain.verdict === 'significant gain' ? 'gain' : c.gain.verdict === 'significant loss' ? 'loss' : 'none'}">${c.gain.verdict}</span>`;
    return [escapeXml(arm), `${c.trainSegments.real} + ${c.trainSegments.synthetic}`, interval(c.metrics[primary]!), gain ? interval(gain) : '', verdict];
  });
}

const STYLE = `body{font-family:system-ui,sans-serif;margin:2em;max-width:1300px;color:#222}
table{border-collapse:collapse;margin:1em 0;font-size:14px}th,td{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f3f3f3}.ci{color:#666;font-size:12px}.gain{color:#0a7d32;font-weight:bold}.loss{color:#b00020;font-weight:bold}
.none{color:#555}.baseline{color:#999}figure{margin:1em 0}figcaption{font-size:13px;color:#555}svg{max-width:100%;height:auto}`;

/**
 * Renders the demo report as one HTML document.
 * @example
 * writeFileAtomic('out/report.html', demoReportHtml(report));
 */
export function demoReportHtml(r: DemoReport): string {
  const d = r.dataset;
  const seconds = r.length / d.rate;
  const paper = (unit: string) => ({ samplingRate: d.rate, pixelsPerMm: seconds > 5 ? 3 : 5, unit });
  const perClass = (counts: number[]) => counts.map((n, l) => `${escapeXml(d.classes[l] ?? String(l))} ${n}`).join(', ');
  const examples = r.perLabel.map((l) => {
    const columns = realVsGeneratedColumns(r.examples.real, r.examples.realLabels, r.examples.generated, r.examples.generatedLabels, r.length, [l.label], 3)
      .map((c) => ({ ...c, title: c.title.replace(`label ${l.label}`, `${l.name} (lead ${d.lead})`) }));
    const range = amplitudeRange(...columns.flatMap((c) => c.traces));
    return `<figure>${ecgGridSvg(columns, { yRange: range, paper: paper('unit') })}<figcaption>${escapeXml(l.name)}: the first three real training segments and the first three generated ones, on ECG paper (25 mm/s; amplitude after range normalisation, 10 mm per unit).</figcaption></figure>`;
  });
  const pre = [{ title: 'raw (mV)', traces: [r.preprocessExample.raw] }];
  const post = [{ title: 'preprocessed (normalised units)', traces: [r.preprocessExample.clean] }];
  const metric = STUDY_METRICS[r.study.summary.primaryMetric].label;
  const sections = [
    `<h1>ecg-ldm demo: ${escapeXml(d.name)}</h1>`,
    `<p>${escapeXml(d.title)}. Generator: ${escapeXml(r.generatorSource)}.</p>`,
    `<h2>Data</h2>`,
    table(['set', 'segments', 'patients', 'segments per class'], Object.entries(r.sets).map(([s, v]) => [s, String(v.segments), String(v.patients), perClass(v.perClass)])),
    `<p>Segments of ${r.length} samples (${seconds.toFixed(2)} s at ${d.rate} Hz), lead ${escapeXml(d.lead)}. No patient is in two sets. Preprocessing: ${d.pipeline.steps.map((s) => escapeXml(s.op)).join(' → ')}.</p>`,
    `<figure>${ecgGridSvg(pre, { yRange: amplitudeRange(r.preprocessExample.raw), paper: paper('mV') })}${ecgGridSvg(post, { yRange: amplitudeRange(r.preprocessExample.clean), paper: paper('unit') })}<figcaption>One training segment before and after preprocessing.</figcaption></figure>`,
    `<h2>Real and generated segments</h2>`,
    ...examples,
    `<h2>Generation figures</h2>`,
    table(['class', 'segments (real / generated)', 'mean std, real', 'mean std, generated', 'heart rate, real', 'heart rate, generated', 'plausible rhythm (real / generated)'],
      r.perLabel.map((l) => [escapeXml(l.name), `${l.realSegments} / ${l.generatedSegments}`, three(l.real.meanStd), three(l.generated.meanStd), rhythm(l.real, l.realSegments), rhythm(l.generated, l.generatedSegments),
        `${(100 * l.real.plausibleRhythmShare).toFixed(0)}% / ${(100 * l.generated.plausibleRhythmShare).toFixed(0)}%`])),
    `<p>A random forest on the raw samples tells real from generated segments with accuracy ${interval(r.forest)} (real patients held out; 0.5 = it cannot tell them apart). It is a weak judge: it is not shift-invariant, so a value near 0.5 says the segments are not crudely wrong, not that no judge could separate them.</p>`,
    `<h2>Does the synthetic data help a classifier?</h2>`,
    `<p>ECGNet, ${r.study.repeats} seed(s) per arm, ${escapeXml(r.study.training)} on the validation patients (never the test patients); ${escapeXml(metric)} on the untouched test patients (means over seeds, 95% intervals from a bootstrap over test patients). Δ is the paired difference to real only on the same resampled patients; the verdict is a gain only when its whole interval lies above 0.</p>`,
    table(['training data', 'segments (real + synthetic)', escapeXml(metric), `Δ ${escapeXml(metric)} vs real only`, 'verdict'], classifierRows(r.study.summary)),
    `<p>Every metric, plot and McNemar test: <a href="${escapeXml(r.study.report)}">${escapeXml(r.study.report)}</a>.</p>`,
    `<h2>Timings and versions</h2>`,
    table(['stage', 'seconds'], Object.entries(r.timings).map(([k, v]) => [escapeXml(k), v.toFixed(1)])),
    `<p>ecg-ldm ${escapeXml(r.versions.ecgLdm)}, LibTorch ${escapeXml(r.versions.torch)}, Node ${escapeXml(r.versions.node)}, ${r.versions.threads} LibTorch threads on ${r.versions.cores} cores (${escapeXml(r.versions.cpu)}).</p>`,
    `<p class="ci">Data: ${d.name === 'ptbxl-af' ? 'PTB-XL (Wagner et al., Scientific Data 2020; CC BY 4.0)' : 'LUDB (Kalyakulina et al., IEEE Access 2020; ODC-By 1.0)'}, from PhysioNet (Goldberger et al., Circulation 2000).</p>`,
  ];
  return `<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>ecg-ldm demo: ${escapeXml(d.name)}</title><style>${STYLE}</style></head>\n<body>\n${sections.join('\n')}\n</body></html>\n`;
}
