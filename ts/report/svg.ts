/**
 * Small SVG building blocks for reports, with no plotting dependency: XML escaping, an
 * element writer, linear scales with readable ticks, and a plot frame (grid, axes, axis
 * titles) inside a standalone `<svg>` document. Charts (`ts/report/charts.ts`) compose
 * them; the output embeds in HTML as is.
 * @module
 */

/**
 * Escapes text for XML / HTML content and attribute values.
 * @param text - any text
 * @example
 * escapeXml('a < b & "c"'); // 'a &lt; b &amp; &quot;c&quot;'
 */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Attribute values of an element; `undefined` leaves the attribute out. */
export type SvgAttributes = Record<string, string | number | undefined>;

/**
 * Writes one element: `<name a="v">children</name>`, or self-closing without children.
 * Attribute values are escaped; numbers are rounded to 2 decimals (pixels).
 * @param name - tag name
 * @param attributes - attribute values
 * @param children - markup inside the element (already escaped)
 * @example
 * element('circle', { cx: 10, cy: 20, r: 3 }); // '<circle cx="10" cy="20" r="3"/>'
 */
export function element(name: string, attributes: SvgAttributes, children?: string): string {
  const attrs = Object.entries(attributes)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${typeof v === 'number' ? String(Math.round(v * 100) / 100) : escapeXml(v!)}"`)
    .join('');
  return children === undefined ? `<${name}${attrs}/>` : `<${name}${attrs}>${children}</${name}>`;
}

/**
 * About `count` round tick values (steps of 1, 2 or 5 x 10^k) covering [min, max].
 * @param min - lower end of the data
 * @param max - upper end of the data
 * @param count - wanted number of ticks (default 5)
 * @example
 * niceTicks(0.43, 0.91); // [0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1]
 */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!(max > min)) return [min];
  const raw = (max - min) / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  const first = Math.floor(min / step + 1e-9) * step;
  const ticks: number[] = [];
  for (let v = first; v <= max + step * 0.999; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

/** A linear map from a data domain onto a pixel range, with the ticks of its domain. */
export interface LinearScale {
  (value: number): number;
  /** The domain, widened to the first and last tick. */
  readonly domain: readonly [number, number];
  readonly ticks: readonly number[];
}

/**
 * A linear scale whose domain is widened to round ticks.
 * @param domain - [min, max] of the data (equal ends are widened by 1)
 * @param range - pixel [start, end]; end < start for a y axis
 * @param tickCount - wanted number of ticks (default 5)
 * @example
 * const y = linearScale([0.4, 0.9], [300, 20]); y(0.5); // pixel of 0.5
 */
export function linearScale(domain: readonly [number, number], range: readonly [number, number], tickCount = 5): LinearScale {
  const [lo, hi] = domain[1] > domain[0] ? domain : [domain[0] - 0.5, domain[0] + 0.5];
  const ticks = niceTicks(lo, hi, tickCount);
  const d0 = Math.min(lo, ticks[0]!);
  const d1 = Math.max(hi, ticks[ticks.length - 1]!);
  const map = (value: number): number => range[0] + ((value - d0) / (d1 - d0)) * (range[1] - range[0]);
  return Object.assign(map, { domain: [d0, d1] as const, ticks });
}

/**
 * A tick label: integers as is, others with up to 3 significant decimals.
 * @example
 * formatTick(0.25); // '0.25'
 */
export function formatTick(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(3)));
}

/** Options of {@link plotFrame}. */
export interface PlotFrameOptions {
  /** Document size in pixels (default 640 x 440). */
  width?: number;
  height?: number;
  title: string;
  xLabel: string;
  yLabel: string;
  /** Data extent of each axis. */
  xDomain: readonly [number, number];
  yDomain: readonly [number, number];
  /** Categorical x axis: labels at the given values instead of numeric ticks. */
  xCategories?: readonly { value: number; label: string }[];
}

/** A plot area: its scales and a function that wraps the plotted marks in the document. */
export interface PlotFrame {
  x: LinearScale;
  y: LinearScale;
  /** Pixel box of the plot area. */
  area: { left: number; right: number; top: number; bottom: number };
  /** The complete `<svg>` document: frame, grid, axes, titles, then `marks` on top. */
  render(marks: string): string;
}

const FONT = 'font-family="system-ui, sans-serif"';

/**
 * Lays out a plot: margins, scales, grid lines, axes with tick labels, axis titles and
 * the chart title.
 * @param options - see {@link PlotFrameOptions}
 * @example
 * const frame = plotFrame({ title: 'AUROC', xLabel: 'real', yLabel: 'real + synthetic', xDomain: [0, 1], yDomain: [0, 1] });
 * const svg = frame.render(element('circle', { cx: frame.x(0.5), cy: frame.y(0.6), r: 4 }));
 */
export function plotFrame(options: PlotFrameOptions): PlotFrame {
  const width = options.width ?? 640;
  const height = options.height ?? 440;
  const area = { left: 64, right: width - 150, top: 40, bottom: height - 52 };
  const x = linearScale(options.xDomain, [area.left, area.right]);
  const y = linearScale(options.yDomain, [area.bottom, area.top]);
  const xTicks = options.xCategories ?? x.ticks.map((value) => ({ value, label: formatTick(value) }));
  const grid = [
    ...xTicks.map((t) => element('line', { x1: x(t.value), x2: x(t.value), y1: area.top, y2: area.bottom, stroke: '#e5e5e5' })),
    ...y.ticks.map((v) => element('line', { x1: area.left, x2: area.right, y1: y(v), y2: y(v), stroke: '#e5e5e5' })),
  ].join('');
  const labels = [
    ...xTicks.map((t) => element('text', { x: x(t.value), y: area.bottom + 18, 'text-anchor': 'middle', 'font-size': 12 }, escapeXml(t.label))),
    ...y.ticks.map((v) => element('text', { x: area.left - 8, y: y(v) + 4, 'text-anchor': 'end', 'font-size': 12 }, formatTick(v))),
  ].join('');
  const axes =
    element('line', { x1: area.left, x2: area.right, y1: area.bottom, y2: area.bottom, stroke: '#333' }) +
    element('line', { x1: area.left, x2: area.left, y1: area.top, y2: area.bottom, stroke: '#333' });
  const titles =
    element('text', { x: (area.left + area.right) / 2, y: 22, 'text-anchor': 'middle', 'font-size': 15, 'font-weight': 'bold' }, escapeXml(options.title)) +
    element('text', { x: (area.left + area.right) / 2, y: height - 14, 'text-anchor': 'middle', 'font-size': 13 }, escapeXml(options.xLabel)) +
    element('text', { x: 16, y: (area.top + area.bottom) / 2, 'text-anchor': 'middle', 'font-size': 13, transform: `rotate(-90 16 ${(area.top + area.bottom) / 2})` }, escapeXml(options.yLabel));
  return {
    x,
    y,
    area,
    render: (marks) =>
      `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ${FONT}>` +
      element('rect', { x: 0, y: 0, width, height, fill: 'white' }) +
      grid + axes + labels + titles + marks + '</svg>',
  };
}

/** Okabe-Ito colours (distinguishable with colour-vision deficiencies), cycled by series index. */
export const SERIES_COLOURS = ['#0072B2', '#E69F00', '#009E73', '#D55E00', '#CC79A7', '#56B4E9', '#F0E442', '#000000'] as const;

/**
 * A legend of coloured markers and names, drawn right of the plot area.
 * @param entries - series names in colour order
 * @param left - pixel x of the legend
 * @param top - pixel y of the first entry
 * @example
 * frame.render(marks + legend(['ratio 1', 'ratio 2'], frame.area.right + 16, frame.area.top));
 */
export function legend(entries: readonly string[], left: number, top: number): string {
  return entries
    .map((name, i) =>
      element('circle', { cx: left + 5, cy: top + i * 20, r: 5, fill: SERIES_COLOURS[i % SERIES_COLOURS.length] }) +
      element('text', { x: left + 16, y: top + i * 20 + 4, 'font-size': 12 }, escapeXml(name)),
    )
    .join('');
}
