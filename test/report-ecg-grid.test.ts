import test from 'ava';
import { ecgGridSvg, realVsGeneratedColumns } from 'ecg-ldm';

test('ecgGridSvg: one titled column per group, one panel and polyline per trace, values clamped to the y range', (t) => {
  const wave = Float32Array.from({ length: 2048 }, (_, i) => Math.sin(i / 40));
  const spike = Float32Array.from({ length: 2048 }, (_, i) => (i === 1000 ? 5 : 0));
  const svg = ecgGridSvg([{ title: 'real <0>', traces: [wave, spike] }, { title: 'generated', traces: [wave] }], { panelHeight: 100 });
  t.regex(svg, /^<svg [^>]*>.*<\/svg>$/s);
  t.is(svg.match(/<polyline /g)!.length, 3);
  t.true(svg.includes('real &lt;0&gt;'));
  // 2048 samples decimated to at most 1024 points per trace.
  const first = /points="([^"]+)"/.exec(svg)![1]!.split(' ');
  t.true(first.length <= 1024 && first.length >= 1000);
  // The spike (5 mV) is drawn at the top edge of its panel (y range [-1, 1]), not outside it.
  const ys = /<polyline [^>]*points="([^"]+)"/g;
  const all = [...svg.matchAll(ys)].map((m) => m[1]!.split(' ').map((p) => Number(p.split(',')[1])));
  const spikePanelTop = 24 + 1 * (100 + 24);
  t.is(Math.min(...all[1]!), spikePanelTop);
});

test('realVsGeneratedColumns: a real and a generated column per label, the first perLabel segments of that label', (t) => {
  const L = 4;
  const real = Float32Array.from({ length: 5 * L }, (_, i) => Math.floor(i / L)); // segment k holds k
  const generated = Float32Array.from({ length: 3 * L }, (_, i) => 10 + Math.floor(i / L));
  const columns = realVsGeneratedColumns(real, [0, 1, 0, 0, 1], generated, [1, 1, 0], L, [0, 1], 2);
  t.deepEqual(columns.map((c) => c.title), ['real, label 0', 'generated, label 0', 'real, label 1', 'generated, label 1']);
  t.deepEqual(columns.map((c) => c.traces.map((x) => x[0])), [[0, 2], [12], [1, 4], [10, 11]]);
});
