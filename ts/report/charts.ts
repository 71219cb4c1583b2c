/**
 * Two report charts built from `ts/report/svg.ts`: a scatter plot with optional
 * interval whiskers and a y = x diagonal, and a Tukey box plot per group.
 * @module
 */
import { quantileSorted } from '../evaluate/bootstrap';
import { element, escapeXml, legend, plotFrame, SERIES_COLOURS } from './svg';

/** One point of {@link scatterChart}; the optional bounds draw interval whiskers. */
export interface ScatterPoint {
  x: number;
  y: number;
  xLow?: number;
  xHigh?: number;
  yLow?: number;
  yHigh?: number;
  /** Series name: one colour per series, in order of first appearance. */
  series: string;
  /** Text drawn beside the point. */
  label?: string;
}

/** Titles of a chart. */
export interface ChartTitles {
  title: string;
  xLabel: string;
  yLabel: string;
}

const finite = (values: (number | undefined)[]): number[] => values.filter((v): v is number => v !== undefined && Number.isFinite(v));

/**
 * Scatter plot with whiskers for the given intervals; with `diagonal`, both axes share
 * one domain and the line y = x marks "no change".
 * @param points - see {@link ScatterPoint}; points with a non-finite coordinate are left out
 * @param options - titles; `diagonal` (default false)
 * @returns a standalone SVG document
 * @example
 * scatterChart([{ x: 0.58, y: 0.61, series: 'ratio 1', label: 'ecgnet' }],
 *   { title: 'AUROC', xLabel: 'real only', yLabel: 'real + synthetic', diagonal: true });
 */
export function scatterChart(points: readonly ScatterPoint[], options: ChartTitles & { diagonal?: boolean }): string {
  const shown = points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y));
  const xs = finite(shown.flatMap((p) => [p.x, p.xLow, p.xHigh]));
  const ys = finite(shown.flatMap((p) => [p.y, p.yLow, p.yHigh]));
  const extent = (v: number[]): [number, number] => (v.length ? [Math.min(...v), Math.max(...v)] : [0, 1]);
  let xDomain = extent(xs);
  let yDomain = extent(ys);
  if (options.diagonal) xDomain = yDomain = extent([...xDomain, ...yDomain]);
  const frame = plotFrame({ ...options, xDomain, yDomain });
  const series = [...new Set(shown.map((p) => p.series))];
  const marks: string[] = [];
  if (options.diagonal) {
    const [lo, hi] = frame.x.domain;
    marks.push(element('line', { x1: frame.x(lo), y1: frame.y(lo), x2: frame.x(hi), y2: frame.y(hi), stroke: '#888', 'stroke-dasharray': '6 4' }));
  }
  for (const p of shown) {
    const colour = SERIES_COLOURS[series.indexOf(p.series) % SERIES_COLOURS.length];
    const cx = frame.x(p.x);
    const cy = frame.y(p.y);
    if (p.xLow !== undefined && p.xHigh !== undefined && Number.isFinite(p.xLow) && Number.isFinite(p.xHigh)) {
      marks.push(element('line', { x1: frame.x(p.xLow), x2: frame.x(p.xHigh), y1: cy, y2: cy, stroke: colour, 'stroke-opacity': 0.5 }));
    }
    if (p.yLow !== undefined && p.yHigh !== undefined && Number.isFinite(p.yLow) && Number.isFinite(p.yHigh)) {
      marks.push(element('line', { x1: cx, x2: cx, y1: frame.y(p.yLow), y2: frame.y(p.yHigh), stroke: colour, 'stroke-opacity': 0.5 }));
    }
    marks.push(element('circle', { cx, cy, r: 4.5, fill: colour }, p.label === undefined ? undefined : element('title', {}, escapeXml(p.label))));
    if (p.label !== undefined) marks.push(element('text', { x: cx + 7, y: cy - 6, 'font-size': 11, fill: '#333' }, escapeXml(p.label)));
  }
  marks.push(legend(series, frame.area.right + 16, frame.area.top + 8));
  return frame.render(marks.join(''));
}

/** Tukey box-plot statistics: quartiles, whiskers at the last values within 1.5 IQR, outliers beyond. */
export interface BoxStats {
  q1: number;
  median: number;
  q3: number;
  whiskerLow: number;
  whiskerHigh: number;
  outliers: number[];
  count: number;
}

/**
 * Box-plot statistics of finite values (linear-interpolated quartiles, as NumPy).
 * @param values - the values; non-finite ones are ignored
 * @returns null when no finite value remains
 * @example
 * boxStats([1, 2, 3, 4, 100]); // { median: 3, q1: 2, q3: 4, whiskerHigh: 4, outliers: [100], ... }
 */
export function boxStats(values: readonly number[]): BoxStats | null {
  const sorted = Float64Array.from(values.filter(Number.isFinite)).sort();
  if (sorted.length === 0) return null;
  const q1 = quantileSorted(sorted, 0.25);
  const q3 = quantileSorted(sorted, 0.75);
  const reach = 1.5 * (q3 - q1);
  const inside = sorted.filter((v) => v >= q1 - reach && v <= q3 + reach);
  return {
    q1,
    median: quantileSorted(sorted, 0.5),
    q3,
    whiskerLow: inside[0]!,
    whiskerHigh: inside[inside.length - 1]!,
    outliers: Array.from(sorted.filter((v) => v < q1 - reach || v > q3 + reach)),
    count: sorted.length,
  };
}

/** One box of {@link boxChart}. */
export interface BoxGroup {
  label: string;
  values: readonly number[];
}

/**
 * Box plot, one box per group along a categorical x axis, every value also drawn as a
 * dot; an optional horizontal reference line (e.g. 0 for "no gain").
 * @param groups - see {@link BoxGroup}; a group without finite values gets an empty slot
 * @param options - titles; `referenceLine` (y value, default none)
 * @returns a standalone SVG document
 * @example
 * boxChart([{ label: '1x', values: [0.01, -0.02, 0.03] }], { title: 'Gain', xLabel: 'ratio', yLabel: 'Δ AUROC', referenceLine: 0 });
 */
export function boxChart(groups: readonly BoxGroup[], options: ChartTitles & { referenceLine?: number }): string {
  const all = finite(groups.flatMap((g) => [...g.values]));
  if (options.referenceLine !== undefined) all.push(options.referenceLine);
  const yDomain: [number, number] = all.length ? [Math.min(...all), Math.max(...all)] : [0, 1];
  const frame = plotFrame({
    ...options,
    xDomain: [-0.5, groups.length - 0.5],
    yDomain,
    xCategories: groups.map((g, i) => ({ value: i, label: g.label })),
  });
  const marks: string[] = [];
  if (options.referenceLine !== undefined) {
    const y = frame.y(options.referenceLine);
    marks.push(element('line', { x1: frame.area.left, x2: frame.area.right, y1: y, y2: y, stroke: '#888', 'stroke-dasharray': '6 4' }));
  }
  const half = Math.min(40, ((frame.area.right - frame.area.left) / Math.max(1, groups.length)) * 0.3);
  groups.forEach((group, i) => {
    const stats = boxStats([...group.values]);
    if (stats === null) return;
    const cx = frame.x(i);
    const colour = SERIES_COLOURS[0];
    marks.push(
      element('line', { x1: cx, x2: cx, y1: frame.y(stats.whiskerLow), y2: frame.y(stats.q1), stroke: '#333' }),
      element('line', { x1: cx, x2: cx, y1: frame.y(stats.q3), y2: frame.y(stats.whiskerHigh), stroke: '#333' }),
      element('rect', {
        x: cx - half,
        y: frame.y(stats.q3),
        width: 2 * half,
        height: Math.max(1, frame.y(stats.q1) - frame.y(stats.q3)),
        fill: colour,
        'fill-opacity': 0.25,
        stroke: colour,
      }),
      element('line', { x1: cx - half, x2: cx + half, y1: frame.y(stats.median), y2: frame.y(stats.median), stroke: colour, 'stroke-width': 2 }),
    );
    // Every value as a dot, spread sideways by its index so equal values stay visible.
    group.values.forEach((v, k) => {
      if (!Number.isFinite(v)) return;
      const dx = ((k % 7) - 3) * (half / 5);
      marks.push(element('circle', { cx: cx + dx, cy: frame.y(v), r: 2.5, fill: '#333', 'fill-opacity': 0.6 }));
    });
  });
  return frame.render(marks.join(''));
}
