/**
 * The two plots of the augmentation study: the seed's scatter of real-only against
 * real + synthetic per model (one point per model and ratio, with patient intervals on
 * both axes, the diagonal meaning "no change"), and a box plot of the gain over real
 * only by synthetic ratio (one value per model and repeat).
 * @module
 */
import { boxChart, scatterChart, type ScatterPoint } from '../report/charts';
import { STUDY_METRICS } from './scoring';
import type { StudySummary } from './summary';

/**
 * Scatter of the primary metric: x = real only (ratio 0), y = real + synthetic, per
 * model and ratio > 0; points above the diagonal gained.
 * @param summary - a study summary
 * @returns an SVG document
 * @example
 * fs.writeFileSync('scatter.svg', augmentationScatter(summary));
 */
export function augmentationScatter(summary: StudySummary): string {
  const metric = summary.primaryMetric;
  const points: ScatterPoint[] = [];
  for (const cell of summary.cells) {
    if (cell.arm.kind !== 'ratio' || cell.arm.ratio === 0) continue;
    const base = summary.cells.find((c) => c.model === cell.model && c.arm.kind === 'ratio' && c.arm.ratio === 0)!.metrics[metric]!;
    const value = cell.metrics[metric]!;
    // A model's points cluster; its name is written once, beside its first point.
    const named = points.some((p) => p.label === cell.model);
    points.push({ x: base.value, xLow: base.low, xHigh: base.high, y: value.value, yLow: value.low, yHigh: value.high, series: cell.armName, ...(named ? {} : { label: cell.model }) });
  }
  const label = STUDY_METRICS[metric].label;
  return scatterChart(points, {
    title: `${label}: real only vs real + synthetic`,
    xLabel: `${label}, real only`,
    yLabel: `${label}, real + synthetic`,
    diagonal: true,
  });
}

/**
 * Box plot of the gain in the primary metric over real only (same model, same repeat),
 * one box per synthetic ratio > 0.
 * @param summary - a study summary
 * @returns an SVG document
 * @example
 * fs.writeFileSync('gain-by-ratio.svg', gainByRatioPlot(summary));
 */
export function gainByRatioPlot(summary: StudySummary): string {
  const ratios = [...new Set(summary.cells.flatMap((c) => (c.arm.kind === 'ratio' && c.arm.ratio > 0 ? [c.arm.ratio] : [])))];
  const groups = ratios.map((ratio) => ({
    label: `${ratio}x`,
    values: summary.cells.filter((c) => c.arm.kind === 'ratio' && c.arm.ratio === ratio).flatMap((c) => c.gain!.perRepeat),
  }));
  const label = STUDY_METRICS[summary.primaryMetric].label;
  return boxChart(groups, {
    title: `Gain in ${label} over real only, by synthetic ratio`,
    xLabel: 'synthetic segments per real training segment',
    yLabel: `Δ ${label} (each model and repeat)`,
    referenceLine: 0,
  });
}
