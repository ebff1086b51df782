import { describe, expect, it } from 'vitest';
import { barChart, formatCompact, lineChart, niceScale } from './svg.js';

const FIL = 10n ** 18n;

describe('lineChart', () => {
  it('draws two series over days, in FIL, with ticks, labels and a legend', () => {
    const svg = lineChart(
      [
        { name: 'alice', points: [[0n, 0n], [2880n, 3n * FIL], [5760n, (5n * FIL) / 2n]] },
        { name: 'bob & co', points: [[0n, FIL], [5760n, 2n * FIL]] },
      ],
      { xLabel: 'days', yLabel: 'FIL', xScale: 2880n, yScale: FIL, width: 240, height: 160 },
    );
    expect(svg.split('\n')).toEqual([
      '<svg xmlns="http://www.w3.org/2000/svg" width="240" height="160" viewBox="0 0 240 160" font-family="sans-serif" font-size="12">',
      '<rect width="240" height="160" fill="#fff"/>',
      '<g class="y-ticks" text-anchor="end">',
      '<line x1="43" y1="112" x2="220" y2="112" stroke="#e5e5e5"/>',
      '<text x="37" y="116">0</text>',
      '<line x1="43" y1="85.33" x2="220" y2="85.33" stroke="#e5e5e5"/>',
      '<text x="37" y="89.33">1</text>',
      '<line x1="43" y1="58.67" x2="220" y2="58.67" stroke="#e5e5e5"/>',
      '<text x="37" y="62.67">2</text>',
      '<line x1="43" y1="32" x2="220" y2="32" stroke="#e5e5e5"/>',
      '<text x="37" y="36">3</text>',
      '</g>',
      '<g class="x-ticks" text-anchor="middle">',
      '<line x1="43" y1="112" x2="43" y2="116" stroke="#333"/>',
      '<text x="43" y="128">0</text>',
      '<line x1="87.25" y1="112" x2="87.25" y2="116" stroke="#333"/>',
      '<text x="87.25" y="128">0.5</text>',
      '<line x1="131.5" y1="112" x2="131.5" y2="116" stroke="#333"/>',
      '<text x="131.5" y="128">1</text>',
      '<line x1="175.75" y1="112" x2="175.75" y2="116" stroke="#333"/>',
      '<text x="175.75" y="128">1.5</text>',
      '<line x1="220" y1="112" x2="220" y2="116" stroke="#333"/>',
      '<text x="220" y="128">2</text>',
      '</g>',
      '<g class="series" fill="none" stroke-width="2" stroke-linejoin="round">',
      '<polyline stroke="#0072B2" points="43,112 131.5,32 220,45.33"><title>alice</title></polyline>',
      '<polyline stroke="#D55E00" points="43,85.33 220,58.67"><title>bob &amp; co</title></polyline>',
      '</g>',
      '<g class="axes" stroke="#333">',
      '<line x1="43" y1="112" x2="220" y2="112"/>',
      '<line x1="43" y1="32" x2="43" y2="112"/>',
      '</g>',
      '<text class="x-label" x="131.5" y="150" text-anchor="middle">days</text>',
      '<text class="y-label" x="16" y="72" text-anchor="middle" transform="rotate(-90 16 72)">FIL</text>',
      '<g class="legend">',
      '<line x1="43" y1="18" x2="61" y2="18" stroke="#0072B2" stroke-width="3"/>',
      '<text x="67" y="22">alice</text>',
      '<line x1="118" y1="18" x2="136" y2="18" stroke="#D55E00" stroke-width="3"/>',
      '<text x="142" y="22">bob &amp; co</text>',
      '</g>',
      '</svg>',
    ]);
  });

  it('draws steps, thins long series keeping both ends, and keeps 0 unless told not to', () => {
    const points = (svg: string) => [...svg.matchAll(/points="([^"]*)"/g)].map((m) => m[1]);
    const opts = { width: 240, height: 160 };
    expect(points(lineChart([{ name: 's', points: [[0, 1], [10, 3]] }], { ...opts, step: true }))).toEqual(['23,98.67 220,98.67 220,32']);
    expect(points(lineChart([{ name: 's', points: [[0, 1], [10, 3]] }], { ...opts, zero: false }))).toEqual(['37,132 220,32']);
    const long = Array.from({ length: 101 }, (_, i) => [i, i % 2] as const);
    expect(points(lineChart([{ name: 's', points: long }], { ...opts, maxPoints: 3 }))).toEqual(['37,132 128.5,132 220,132']);
  });

  it('draws dashed series (line and legend) and labelled markers inside the x range', () => {
    const svg = lineChart(
      [
        { name: 'measured', points: [[0n, 4n], [2880n, 2n]] },
        { name: 'projected', points: [[2880n, 2n], [5760n, 0n]], dashed: true },
      ],
      { width: 240, height: 160, xScale: 2880n, markers: [{ x: 2880n, label: 'now' }, { x: 1440n, label: 'fault <1>', color: '#D55E00' }, { x: 9n * 2880n, label: 'outside' }] },
    );
    const lines = svg.split('\n');
    expect(lines.filter((l) => l.includes('stroke-dasharray="6 4"'))).toEqual([
      expect.stringMatching(/^<polyline stroke="#D55E00" stroke-dasharray="6 4" points="[^"]+"><title>projected<\/title><\/polyline>$/),
      expect.stringMatching(/^<line x1="[\d.]+" y1="[\d.]+" x2="[\d.]+" y2="[\d.]+" stroke="#D55E00" stroke-width="3" stroke-dasharray="6 4"\/>$/),
    ]);
    const markers = lines.slice(lines.indexOf('<g class="markers" font-size="11">'));
    expect(markers.slice(0, 6)).toEqual([
      '<g class="markers" font-size="11">',
      // x from 23 (day 0) to 220 (day 2): day 1 at 121.5, day 0.5 at 72.25; labels on staggered rows.
      '<line x1="121.5" y1="32" x2="121.5" y2="132" stroke="#666" stroke-dasharray="3 3"/>',
      '<text x="124.5" y="43" fill="#666">now</text>',
      '<line x1="72.25" y1="32" x2="72.25" y2="132" stroke="#D55E00" stroke-dasharray="3 3"/>',
      '<text x="75.25" y="56" fill="#D55E00">fault &lt;1&gt;</text>',
      '</g>',
    ]);
    expect(svg).not.toContain('outside');
    // A label in the right third of the plot ends at its line.
    expect(lineChart([{ name: 's', points: [[0, 1], [10, 1]] }], { width: 240, height: 160, markers: [{ x: 9, label: 'late' }] })).toMatch(/<text x="[\d.]+" y="[\d.]+" text-anchor="end" fill="#666">late<\/text>/);
    expect(lineChart([{ name: 's', points: [[0, 1]] }])).not.toContain('class="markers"');
  });

  it('draws an empty chart for no series', () => {
    const svg = lineChart([], { width: 100, height: 80 });
    expect(svg).toContain('<g class="series" fill="none" stroke-width="2" stroke-linejoin="round">\n</g>');
    expect(svg).not.toContain('class="legend"');
  });
});

describe('barChart', () => {
  it('draws one bar per label with its value, escaping text', () => {
    const svg = barChart([{ label: 'burn', value: 250n }, { label: 'tip <x>', value: 100, color: '#D55E00' }], { title: 'Gas', width: 160, height: 120 });
    expect(svg.split('\n')).toEqual([
      '<svg xmlns="http://www.w3.org/2000/svg" width="160" height="120" viewBox="0 0 160 120" font-family="sans-serif" font-size="12">',
      '<title>Gas</title>',
      '<rect width="160" height="120" fill="#fff"/>',
      '<text class="title" x="80" y="22" text-anchor="middle" font-size="15" font-weight="bold">Gas</text>',
      '<g class="y-ticks" text-anchor="end">',
      '<line x1="37" y1="92" x2="140" y2="92" stroke="#e5e5e5"/>',
      '<text x="31" y="96">0</text>',
      '<line x1="37" y1="80.8" x2="140" y2="80.8" stroke="#e5e5e5"/>',
      '<text x="31" y="84.8">50</text>',
      '<line x1="37" y1="69.6" x2="140" y2="69.6" stroke="#e5e5e5"/>',
      '<text x="31" y="73.6">100</text>',
      '<line x1="37" y1="58.4" x2="140" y2="58.4" stroke="#e5e5e5"/>',
      '<text x="31" y="62.4">150</text>',
      '<line x1="37" y1="47.2" x2="140" y2="47.2" stroke="#e5e5e5"/>',
      '<text x="31" y="51.2">200</text>',
      '<line x1="37" y1="36" x2="140" y2="36" stroke="#e5e5e5"/>',
      '<text x="31" y="40">250</text>',
      '</g>',
      '<g class="bars" text-anchor="middle">',
      '<rect x="47.3" y="36" width="30.9" height="56" fill="#0072B2"><title>burn: 250</title></rect>',
      '<text x="62.75" y="32">250</text>',
      '<text x="62.75" y="108">burn</text>',
      '<rect x="98.8" y="69.6" width="30.9" height="22.4" fill="#D55E00"><title>tip &lt;x&gt;: 100</title></rect>',
      '<text x="114.25" y="65.6">100</text>',
      '<text x="114.25" y="108">tip &lt;x&gt;</text>',
      '</g>',
      '<g class="axes" stroke="#333">',
      '<line x1="37" y1="92" x2="140" y2="92"/>',
      '<line x1="37" y1="36" x2="37" y2="92"/>',
      '</g>',
      '</svg>',
    ]);
  });
});

describe('barChart showValues', () => {
  it('leaves the values out when told to', () => {
    const bars = [{ label: 'a', value: 2 }, { label: 'b', value: 0 }];
    const texts = (svg: string) => [...svg.matchAll(/<text x="[\d.]+" y="[\d.]+">([^<]*)<\/text>/g)].map((m) => m[1]);
    expect(texts(barChart(bars, { width: 160, height: 120 }))).toEqual(['0', '0.5', '1', '1.5', '2', '2', 'a', '0', 'b']);
    expect(texts(barChart(bars, { width: 160, height: 120, showValues: false }))).toEqual(['0', '0.5', '1', '1.5', '2', 'a', 'b']);
  });
});

describe('formatCompact', () => {
  it('keeps 3 significant digits with SI suffixes', () => {
    expect([0, 0.25, 1, 950, 999.6, 1500, 2e6, 3.14159e9, 1e12, 2.5e15, 7e18, 1e-7, -1500].map(formatCompact)).toEqual(['0', '0.25', '1', '950', '1k', '1.5k', '2M', '3.14G', '1T', '2.5P', '7E', '1e-7', '-1.5k']);
  });
});

describe('niceScale', () => {
  it('picks 1/2/5 × 10^k steps and widens outward to round numbers', () => {
    expect(niceScale(0, 3, 5, true)).toEqual({ min: 0, max: 3, ticks: [0, 1, 2, 3] });
    expect(niceScale(0, 97, 5, true)).toEqual({ min: 0, max: 100, ticks: [0, 20, 40, 60, 80, 100] });
    expect(niceScale(0.1, 0.7, 5, true)).toEqual({ min: 0, max: 0.8, ticks: [0, 0.2, 0.4, 0.6, 0.8] });
    expect(niceScale(0, 0, 5, true)).toEqual({ min: 0, max: 1, ticks: [0, 0.2, 0.4, 0.6, 0.8, 1] });
    expect(niceScale(3, 11, 6, false)).toEqual({ min: 3, max: 11, ticks: [4, 6, 8, 10] });
    expect(niceScale(5, 5, 5, true)).toEqual({ min: 2, max: 8, ticks: [2, 3, 4, 5, 6, 7, 8] });
  });
});
