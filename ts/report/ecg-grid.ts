/**
 * A grid of ECG traces: one column per group (e.g. "real, label 0", "generated, label 0"),
 * one panel per trace, every panel on the same fixed amplitude scale so that a flat or a
 * noisy generator shows as such next to the real signal.
 * @module
 */
import { SERIES_COLOURS, element, escapeXml } from './svg';

/** A column of the grid: its title and its traces (one lead each). */
export interface EcgGridColumn {
  title: string;
  traces: readonly Float32Array[];
}

/**
 * Columns "real, label l" and "generated, label l" for each label, each with the first
 * `perLabel` segments of that label (row-major [N, L], one lead).
 * @example
 * ecgGridSvg(realVsGeneratedColumns(real, realLabels, generated, generatedLabels, 2048, [0, 1]));
 */
export function realVsGeneratedColumns(
  real: Float32Array,
  realLabels: ArrayLike<number>,
  generated: Float32Array,
  generatedLabels: ArrayLike<number>,
  length: number,
  labels: readonly number[],
  perLabel = 3,
): EcgGridColumn[] {
  const pick = (data: Float32Array, ls: ArrayLike<number>, label: number): Float32Array[] => {
    const out: Float32Array[] = [];
    for (let i = 0; i < ls.length && out.length < perLabel; i++) if (ls[i] === label) out.push(data.subarray(i * length, (i + 1) * length));
    return out;
  };
  return labels.flatMap((label) => [
    { title: `real, label ${label}`, traces: pick(real, realLabels, label) },
    { title: `generated, label ${label}`, traces: pick(generated, generatedLabels, label) },
  ]);
}

/** Options of {@link ecgGridSvg}. */
export interface EcgGridOptions {
  /** Amplitude shown from yRange[0] (bottom) to yRange[1] (top); default [-1, 1]. */
  yRange?: readonly [number, number];
  /** Panel size in pixels (default 300 x 90). */
  panelWidth?: number;
  panelHeight?: number;
  /** Points drawn per trace at most (default 1,024; traces are decimated evenly). */
  maxPoints?: number;
}

/**
 * Renders the columns as a standalone SVG document.
 * @example
 * ecgGridSvg([{ title: 'real', traces: [a, b] }, { title: 'generated', traces: [c, d] }]);
 */
export function ecgGridSvg(columns: readonly EcgGridColumn[], options: EcgGridOptions = {}): string {
  const [low, high] = options.yRange ?? [-1, 1];
  const panelWidth = options.panelWidth ?? 300;
  const panelHeight = options.panelHeight ?? 90;
  const maxPoints = options.maxPoints ?? 1024;
  const gap = 24;
  const rows = Math.max(1, ...columns.map((c) => c.traces.length));
  const width = gap + columns.length * (panelWidth + gap);
  const height = gap + rows * (panelHeight + gap);
  const marks: string[] = [];
  columns.forEach((column, c) => {
    const left = gap + c * (panelWidth + gap);
    const colour = SERIES_COLOURS[c % SERIES_COLOURS.length]!;
    marks.push(element('text', { x: left, y: gap - 8, 'font-size': 12 }, escapeXml(column.title)));
    column.traces.forEach((trace, r) => {
      const top = gap + r * (panelHeight + gap);
      const step = Math.max(1, Math.ceil(trace.length / maxPoints));
      const points: string[] = [];
      for (let i = 0; i < trace.length; i += step) {
        const clamped = Math.min(high, Math.max(low, trace[i]!));
        const x = left + (i / Math.max(1, trace.length - 1)) * panelWidth;
        const y = top + ((high - clamped) / (high - low)) * panelHeight;
        points.push(`${x.toFixed(1)},${y.toFixed(1)}`);
      }
      marks.push(element('rect', { x: left, y: top, width: panelWidth, height: panelHeight, fill: 'none', stroke: '#ccc' }));
      marks.push(element('polyline', { fill: 'none', stroke: colour, 'stroke-width': 0.8, points: points.join(' ') }));
    });
  });
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif">` +
    element('rect', { x: 0, y: 0, width, height, fill: 'white' }) +
    marks.join('') +
    '</svg>'
  );
}
