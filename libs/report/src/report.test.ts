import { describe, expect, it } from 'vitest';
import { curvesSpec, meanCurves } from './curves';
import { renderSvg, svgToPng } from './render';
import { htmlPage } from './html';

describe('best-so-far curves', () => {
  it('averages runs per strategy with a standard-error band', () => {
    const points = meanCurves([
      { strategy: 'a', values: [90, 92] },
      { strategy: 'a', values: [92, 94] },
      { strategy: 'b', values: [null, 80] },
    ]);
    const a2 = points.find((p) => p.strategy === 'a' && p.query === 2)!;
    expect(a2.mean).toBe(93);
    expect(a2.high - a2.mean).toBeCloseTo(Math.sqrt(2) / Math.sqrt(2), 10); // std sqrt(2), n = 2
    expect(points.filter((p) => p.strategy === 'b').map((p) => p.query)).toEqual([2]);
  });

  it('renders an SVG with one line per strategy and a PNG', async () => {
    const points = meanCurves([
      { strategy: 'random', values: [88, 89, 90] },
      { strategy: 'rea', values: [88, 90, 93] },
    ]);
    const svg = await renderSvg(curvesSpec(points, { title: 'nb201 cifar10', yTitle: 'test accuracy (%)', ceiling: 94.37 }));
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('random');
    expect(svg).toContain('rea');
    expect(svg).toContain('nb201 cifar10');
    const png = svgToPng(svg, 640);
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(png.readUInt32BE(16)).toBe(640); // IHDR width
  });
});

describe('html report', () => {
  it('is self-contained and escapes text', () => {
    const page = htmlPage('A <b> report', [{ heading: 'runs', table: { columns: ['strategy', 'test'], rows: [['rea', 94.123], ['x&y', null]] }, svg: '<?xml version="1.0"?><svg></svg>' }]);
    expect(page).toContain('A &lt;b&gt; report');
    expect(page).toContain('<td>94.12</td>');
    expect(page).toContain('x&amp;y');
    expect(page).toContain('<div class="figure"><svg></svg></div>');
    expect(page).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/);
  });
});
