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
  /**
   * Draw each panel on ECG paper: 1 mm minor and 5 mm major lines at 25 mm/s and 10 mm per
   * amplitude unit, with a 1-unit calibration pulse; panel sizes then follow from the
   * trace's duration and yRange (panelWidth / panelHeight are ignored).
   */
  paper?: {
    /** Hz of the traces. */
    samplingRate: number;
    /** Pixels per millimetre of paper (default 4). */
    pixelsPerMm?: number;
    /** Amplitude unit named on the scale bar (default "mV"). */
    unit?: string;
  };
}

/** ECG paper: grid lines of one panel, a calibration pulse, and the caption of the scale. */
function paperPanel(left: number, top: number, width: number, height: number, pxPerMm: number, zeroY: number): string {
  const lines: string[] = [];
  for (let mm = 0; mm * pxPerMm <= width + 1e-9; mm++) {
    const x = (left + mm * pxPerMm).toFixed(1);
    lines.push(element('line', { x1: x, y1: top, x2: x, y2: top + height, stroke: mm % 5 === 0 ? '#f2a0a0' : '#fbdede', 'stroke-width': mm % 5 === 0 ? 0.8 : 0.4 }));
  }
  for (let mm = 0; mm * pxPerMm <= height + 1e-9; mm++) {
    const y = (top + mm * pxPerMm).toFixed(1);
    lines.push(element('line', { x1: left, y1: y, x2: left + width, y2: y, stroke: mm % 5 === 0 ? '#f2a0a0' : '#fbdede', 'stroke-width': mm % 5 === 0 ? 0.8 : 0.4 }));
  }
  // 1 unit (10 mm) high, 5 mm (0.2 s) wide, standing on the zero line.
  const x0 = left + 1 * pxPerMm;
  const pulse = [[x0, zeroY], [x0 + pxPerMm, zeroY], [x0 + pxPerMm, zeroY - 10 * pxPerMm], [x0 + 6 * pxPerMm, zeroY - 10 * pxPerMm], [x0 + 6 * pxPerMm, zeroY], [x0 + 7 * pxPerMm, zeroY]];
  lines.push(element('polyline', { fill: 'none', stroke: '#222', 'stroke-width': 1, points: pulse.map(([x, y]) => `${x!.toFixed(1)},${y!.toFixed(1)}`).join(' ') }));
  return lines.join('');
}

/**
 * Renders the columns as a standalone SVG document.
 * @example
 * ecgGridSvg([{ title: 'real', traces: [a, b] }, { title: 'generated', traces: [c, d] }]);
 */
export function ecgGridSvg(columns: readonly EcgGridColumn[], options: EcgGridOptions = {}): string {
  const [low, high] = options.yRange ?? [-1, 1];
  const paper = options.paper;
  const pxPerMm = paper?.pixelsPerMm ?? 4;
  const longest = Math.max(1, ...columns.flatMap((c) => c.traces.map((t) => t.length)));
  // 25 mm/s and 10 mm per unit on paper.
  const panelWidth = paper ? Math.round((longest / paper.samplingRate) * 25 * pxPerMm) : options.panelWidth ?? 300;
  const panelHeight = paper ? Math.round((high - low) * 10 * pxPerMm) : options.panelHeight ?? 90;
  const maxPoints = options.maxPoints ?? 1024;
  const gap = 24;
  const rows = Math.max(1, ...columns.map((c) => c.traces.length));
  const width = gap + columns.length * (panelWidth + gap);
  const height = gap + rows * (panelHeight + gap);
  const marks: string[] = [];
  columns.forEach((column, c) => {
    const left = gap + c * (panelWidth + gap);
    const colour = SERIES_COLOURS[c % SERIES_COLOURS.length]!;
    const scale = paper ? ` (25 mm/s, 10 mm/${paper.unit ?? 'mV'})` : '';
    marks.push(element('text', { x: left, y: gap - 8, 'font-size': 12 }, escapeXml(column.title + scale)));
    column.traces.forEach((trace, r) => {
      const top = gap + r * (panelHeight + gap);
      const step = Math.max(1, Math.ceil(trace.length / maxPoints));
      const points: string[] = [];
      for (let i = 0; i < trace.length; i += step) {
        const clamped = Math.min(high, Math.max(low, trace[i]!));
        const x = left + (paper ? (i / paper.samplingRate) * 25 * pxPerMm : (i / Math.max(1, trace.length - 1)) * panelWidth);
        const y = top + ((high - clamped) / (high - low)) * panelHeight;
        points.push(`${x.toFixed(1)},${y.toFixed(1)}`);
      }
      if (paper) marks.push(paperPanel(left, top, panelWidth, panelHeight, pxPerMm, top + (high / (high - low)) * panelHeight));
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
