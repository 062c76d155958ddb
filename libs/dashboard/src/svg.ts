import type { SearchSpace } from '@dcl-enas/spaces';
import type { CurvePoint, CycleQuality } from './tracker';

/** Small hand-written SVG charts: the same drawings in the live page and in the HTML/PNG reports. */

const FONT = 'font-family="DejaVu Sans, Helvetica, Arial, sans-serif"';
export const COLORS = { val: '#1f6fb4', test: '#d9731a', dot: '#9aa7b4', tauPos: '#2e8b57', tauNeg: '#c0392b', hit: '#7fb3d5', hitSoFar: '#1f3b57', chance: '#c0392b', grid: '#e3e6ea', axis: '#555' };

export const escapeXml = (s: string): string => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** About `count` round tick values covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step - 1e-9) * step; v <= hi + 1e-9; v += step) out.push(Number(v.toFixed(10)));
  return out;
}

const fmt = (v: number): string => (Math.abs(v) >= 100 || Number.isInteger(v) ? String(Math.round(v)) : v.toFixed(Math.abs(v) < 1 ? 2 : 1));

interface Frame {
  readonly width: number;
  readonly height: number;
  readonly left: number;
  readonly right: number;
  readonly top: number;
  readonly bottom: number;
}

function axes(f: Frame, x: { lo: number; hi: number; title: string }, y: { lo: number; hi: number; title: string }, xs: (v: number) => number, ys: (v: number) => number): string {
  const parts: string[] = [];
  for (const t of niceTicks(y.lo, y.hi, 5)) {
    parts.push(`<line x1="${f.left}" x2="${f.width - f.right}" y1="${ys(t).toFixed(1)}" y2="${ys(t).toFixed(1)}" stroke="${COLORS.grid}"/>`);
    parts.push(`<text x="${f.left - 6}" y="${(ys(t) + 4).toFixed(1)}" text-anchor="end" font-size="11" fill="${COLORS.axis}">${fmt(t)}</text>`);
  }
  for (const t of niceTicks(x.lo, x.hi, 8).filter((v) => Number.isInteger(v))) {
    parts.push(`<line x1="${xs(t).toFixed(1)}" x2="${xs(t).toFixed(1)}" y1="${f.height - f.bottom}" y2="${f.height - f.bottom + 4}" stroke="${COLORS.axis}"/>`);
    parts.push(`<text x="${xs(t).toFixed(1)}" y="${f.height - f.bottom + 16}" text-anchor="middle" font-size="11" fill="${COLORS.axis}">${fmt(t)}</text>`);
  }
  parts.push(`<line x1="${f.left}" x2="${f.width - f.right}" y1="${f.height - f.bottom}" y2="${f.height - f.bottom}" stroke="${COLORS.axis}"/>`);
  parts.push(`<line x1="${f.left}" x2="${f.left}" y1="${f.top}" y2="${f.height - f.bottom}" stroke="${COLORS.axis}"/>`);
  parts.push(`<text x="${(f.left + f.width - f.right) / 2}" y="${f.height - 6}" text-anchor="middle" font-size="12" fill="#333">${escapeXml(x.title)}</text>`);
  parts.push(`<text transform="translate(14 ${(f.top + f.height - f.bottom) / 2}) rotate(-90)" text-anchor="middle" font-size="12" fill="#333">${escapeXml(y.title)}</text>`);
  return parts.join('');
}

function stepPath(points: readonly { x: number; y: number }[]): string {
  return points.map((p, i) => (i === 0 ? `M${p.x.toFixed(1)},${p.y.toFixed(1)}` : `H${p.x.toFixed(1)}V${p.y.toFixed(1)}`)).join('');
}

/**
 * Best-so-far validation accuracy (the search signal) and the test accuracy of the selected
 * architecture (reported only, dashed), over every trial's own validation accuracy (dots).
 */
export function curveSvg(curve: readonly CurvePoint[], scatter: readonly { query: number; valAcc: number }[], options: { budget?: number; width?: number; height?: number; title?: string } = {}): string {
  const f: Frame = { width: options.width ?? 640, height: options.height ?? 300, left: 52, right: 16, top: options.title ? 48 : 30, bottom: 38 };
  const maxQuery = Math.max(options.budget ?? 0, curve.length, ...scatter.map((p) => p.query), 1);
  const best = curve.flatMap((p) => [p.bestValAcc, ...(p.bestTestAcc === null ? [] : [p.bestTestAcc])]);
  // Dots far below the curve would squash it: the y range starts at the 10th percentile of the dots.
  const dots = [...scatter.map((p) => p.valAcc)].sort((a, b) => a - b);
  const floor = dots.length > 0 ? dots[Math.floor(dots.length * 0.1)] : Infinity;
  let lo = Math.min(floor, ...best);
  let hi = Math.max(...best, ...dots.slice(-1));
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) [lo, hi] = [0, 100];
  if (hi - lo < 1) [lo, hi] = [lo - 0.5, hi + 0.5];
  const pad = (hi - lo) * 0.05;
  [lo, hi] = [lo - pad, hi + pad];
  const xs = (q: number) => f.left + ((q - 1) / Math.max(1, maxQuery - 1)) * (f.width - f.left - f.right);
  const ys = (v: number) => f.top + (1 - (Math.min(hi, Math.max(lo, v)) - lo) / (hi - lo)) * (f.height - f.top - f.bottom);
  const step = Math.max(1, Math.ceil(scatter.length / 1500));
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${f.width}" height="${f.height}" viewBox="0 0 ${f.width} ${f.height}" ${FONT} data-points="${curve.length}" class="curve">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    options.title ? `<text x="${f.left}" y="18" font-size="14" font-weight="bold" fill="#222">${escapeXml(options.title)}</text>` : '',
    axes(f, { lo: 1, hi: maxQuery, title: 'architectures trained (queries)' }, { lo, hi, title: 'accuracy (%)' }, xs, ys),
  ];
  for (let i = 0; i < scatter.length; i += step) {
    const p = scatter[i];
    if (p.valAcc >= lo) parts.push(`<circle cx="${xs(p.query).toFixed(1)}" cy="${ys(p.valAcc).toFixed(1)}" r="2.2" fill="${COLORS.dot}" fill-opacity="0.7"/>`);
  }
  if (curve.length > 0) {
    parts.push(`<path d="${stepPath(curve.map((p) => ({ x: xs(p.query), y: ys(p.bestValAcc) })))}" fill="none" stroke="${COLORS.val}" stroke-width="2.2" class="val-line"/>`);
    const test = curve.filter((p) => p.bestTestAcc !== null);
    if (test.length > 0) parts.push(`<path d="${stepPath(test.map((p) => ({ x: xs(p.query), y: ys(p.bestTestAcc!) })))}" fill="none" stroke="${COLORS.test}" stroke-width="2" stroke-dasharray="6 4" class="test-line"/>`);
  }
  const ly = options.title ? 36 : 16;
  const lx = f.left + 4;
  parts.push(
    `<line x1="${lx}" x2="${lx + 22}" y1="${ly - 4}" y2="${ly - 4}" stroke="${COLORS.val}" stroke-width="2.2"/><text x="${lx + 28}" y="${ly}" font-size="11" fill="#222">best validation so far (search signal)</text>`,
    `<line x1="${lx + 250}" x2="${lx + 272}" y1="${ly - 4}" y2="${ly - 4}" stroke="${COLORS.test}" stroke-width="2" stroke-dasharray="6 4"/><text x="${lx + 278}" y="${ly}" font-size="11" fill="#222">its test accuracy (reported only)</text>`,
    `<circle cx="${lx + 480}" cy="${ly - 4}" r="2.5" fill="${COLORS.dot}"/><text x="${lx + 487}" y="${ly}" font-size="11" fill="#222">each trial</text>`,
  );
  if (curve.length === 0) parts.push(`<text x="${f.width / 2}" y="${f.height / 2}" text-anchor="middle" font-size="13" fill="#888">no results yet</text>`);
  parts.push('</svg>');
  return parts.join('');
}

/**
 * The predictor's ranking quality per cycle: bars, the share of each fit's picks that beat the
 * median of the random initial trials; line, the same over all fits so far; dashed, chance (0.5,
 * what picks of a predictor that ranks at random score).
 */
export function hitRateSvg(cycles: readonly CycleQuality[], options: { width?: number; height?: number; title?: string } = {}): string {
  const f: Frame = { width: options.width ?? 360, height: options.height ?? 200, left: 44, right: 12, top: options.title ? 46 : 26, bottom: 36 };
  const n = Math.max(1, cycles.length);
  const band = (f.width - f.left - f.right) / n;
  const ys = (v: number) => f.top + (1 - v) * (f.height - f.top - f.bottom);
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${f.width}" height="${f.height}" viewBox="0 0 ${f.width} ${f.height}" ${FONT} data-cycles="${cycles.length}" class="hit-rate">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    options.title ? `<text x="${f.left}" y="18" font-size="14" font-weight="bold" fill="#222">${escapeXml(options.title)}</text>` : '',
  ];
  for (const t of [0, 0.25, 0.5, 0.75, 1]) {
    parts.push(`<line x1="${f.left}" x2="${f.width - f.right}" y1="${ys(t)}" y2="${ys(t)}" stroke="${t === 0 ? COLORS.axis : COLORS.grid}"/>`);
    parts.push(`<text x="${f.left - 6}" y="${ys(t) + 4}" text-anchor="end" font-size="11" fill="${COLORS.axis}">${Math.round(t * 100)}</text>`);
  }
  const labelEvery = Math.ceil(cycles.length / 12);
  const line: { x: number; y: number }[] = [];
  cycles.forEach((c, i) => {
    const x = f.left + i * band + band * 0.15;
    const w = band * 0.7;
    if (c.hitRate !== null) {
      const y = ys(c.hitRate);
      parts.push(`<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${w.toFixed(1)}" height="${Math.max(1, ys(0) - y).toFixed(1)}" fill="${COLORS.hit}"><title>cycle ${c.cycle}: ${Math.round(c.hitRate * 100)} % of ${c.observed} picks beat the random median</title></rect>`);
    }
    if (c.hitRateSoFar !== null) line.push({ x: x + w / 2, y: ys(c.hitRateSoFar) });
    if (i % labelEvery === 0) parts.push(`<text x="${(x + w / 2).toFixed(1)}" y="${f.height - f.bottom + 14}" text-anchor="middle" font-size="11" fill="${COLORS.axis}">${c.cycle}</text>`);
  });
  parts.push(`<line x1="${f.left}" x2="${f.width - f.right}" y1="${ys(0.5)}" y2="${ys(0.5)}" stroke="${COLORS.chance}" stroke-width="1.4" stroke-dasharray="5 4" class="chance"/>`);
  if (line.length > 0) {
    parts.push(`<path d="${line.map((p, i) => `${i === 0 ? 'M' : 'L'}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join('')}" fill="none" stroke="${COLORS.hitSoFar}" stroke-width="2" class="so-far"/>`);
    for (const p of line) parts.push(`<circle cx="${p.x.toFixed(1)}" cy="${p.y.toFixed(1)}" r="2.4" fill="${COLORS.hitSoFar}"/>`);
  }
  const ly = f.top - 10;
  const lx = f.left + 2;
  parts.push(
    `<rect x="${lx}" y="${ly - 8}" width="10" height="9" fill="${COLORS.hit}"/><text x="${lx + 14}" y="${ly}" font-size="10" fill="#222">this fit</text>`,
    `<line x1="${lx + 62}" x2="${lx + 80}" y1="${ly - 4}" y2="${ly - 4}" stroke="${COLORS.hitSoFar}" stroke-width="2"/><text x="${lx + 84}" y="${ly}" font-size="10" fill="#222">all fits so far</text>`,
    `<line x1="${lx + 164}" x2="${lx + 182}" y1="${ly - 4}" y2="${ly - 4}" stroke="${COLORS.chance}" stroke-width="1.4" stroke-dasharray="5 4"/><text x="${lx + 186}" y="${ly}" font-size="10" fill="#222">chance</text>`,
  );
  parts.push(`<text x="${(f.left + f.width - f.right) / 2}" y="${f.height - 6}" text-anchor="middle" font-size="12" fill="#333">predictor cycle (fit)</text>`);
  parts.push(`<text transform="translate(12 ${(f.top + f.height - f.bottom) / 2}) rotate(-90)" text-anchor="middle" font-size="11" fill="#333">% picks &gt; random median</text>`);
  if (cycles.length === 0) parts.push(`<text x="${f.width / 2}" y="${f.height / 2 - 10}" text-anchor="middle" font-size="12" fill="#888">no predictor cycles yet</text>`);
  else if (cycles.every((c) => c.hitRate === null)) parts.push(`<text x="${f.width / 2}" y="${f.height / 2 - 10}" text-anchor="middle" font-size="12" fill="#888">no observed picks or random trials yet</text>`);
  parts.push('</svg>');
  return parts.join('');
}

/**
 * Kendall tau per predictor cycle within the batch each fit chose (its few top-ranked, near-tied
 * picks: mostly noise), bars from -1 to 1. `hitRateSvg` is the chart that tells whether the
 * predictor ranks well.
 */
export function tauSvg(cycles: readonly CycleQuality[], options: { width?: number; height?: number; title?: string } = {}): string {
  const f: Frame = { width: options.width ?? 360, height: options.height ?? 200, left: 44, right: 12, top: options.title ? 30 : 12, bottom: 36 };
  const n = Math.max(1, cycles.length);
  const band = (f.width - f.left - f.right) / n;
  const ys = (v: number) => f.top + ((1 - v) / 2) * (f.height - f.top - f.bottom);
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${f.width}" height="${f.height}" viewBox="0 0 ${f.width} ${f.height}" ${FONT} data-cycles="${cycles.length}" class="tau">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    options.title ? `<text x="${f.left}" y="18" font-size="14" font-weight="bold" fill="#222">${escapeXml(options.title)}</text>` : '',
  ];
  for (const t of [-1, -0.5, 0, 0.5, 1]) {
    parts.push(`<line x1="${f.left}" x2="${f.width - f.right}" y1="${ys(t)}" y2="${ys(t)}" stroke="${t === 0 ? COLORS.axis : COLORS.grid}"/>`);
    parts.push(`<text x="${f.left - 6}" y="${ys(t) + 4}" text-anchor="end" font-size="11" fill="${COLORS.axis}">${fmt(t)}</text>`);
  }
  const labelEvery = Math.ceil(cycles.length / 12);
  cycles.forEach((c, i) => {
    const x = f.left + i * band + band * 0.15;
    const w = band * 0.7;
    if (c.tau !== null) {
      const y0 = ys(0);
      const y1 = ys(c.tau);
      parts.push(`<rect x="${x.toFixed(1)}" y="${Math.min(y0, y1).toFixed(1)}" width="${w.toFixed(1)}" height="${Math.max(1, Math.abs(y1 - y0)).toFixed(1)}" fill="${c.tau >= 0 ? COLORS.tauPos : COLORS.tauNeg}"><title>cycle ${c.cycle}: tau ${c.tau.toFixed(2)} within its batch of ${c.observed} picks</title></rect>`);
    }
    if (i % labelEvery === 0) parts.push(`<text x="${(x + w / 2).toFixed(1)}" y="${f.height - f.bottom + 14}" text-anchor="middle" font-size="11" fill="${COLORS.axis}">${c.cycle}</text>`);
  });
  parts.push(`<text x="${(f.left + f.width - f.right) / 2}" y="${f.height - 6}" text-anchor="middle" font-size="12" fill="#333">predictor cycle (fit)</text>`);
  parts.push(`<text transform="translate(12 ${(f.top + f.height - f.bottom) / 2}) rotate(-90)" text-anchor="middle" font-size="11" fill="#333">tau within batch</text>`);
  if (cycles.length === 0) parts.push(`<text x="${f.width / 2}" y="${f.height / 2 - 10}" text-anchor="middle" font-size="12" fill="#888">no predictor cycles yet</text>`);
  parts.push('</svg>');
  return parts.join('');
}

interface CellGraph {
  readonly labels: readonly string[];
  readonly edges: readonly { readonly from: number; readonly to: number; readonly label?: string }[];
}

/** The NAS-Bench-201 string form (also the ECG space's): |op~j|+|op~j|op~j|+... ops on edges into nodes 1..n. */
function opsOnEdges(arch: string): CellGraph | null {
  if (!/^\|([^|~+]+~\d+\|)+(\+\|([^|~+]+~\d+\|)+)*$/.test(arch)) return null;
  const nodes = arch.split('+');
  const edges: { from: number; to: number; label: string }[] = [];
  nodes.forEach((node, i) => {
    for (const m of node.matchAll(/([^|~]+)~(\d+)/g)) if (m[1] !== 'none') edges.push({ from: Number(m[2]), to: i + 1, label: m[1] });
  });
  return { labels: Array.from({ length: nodes.length + 1 }, (_, i) => (i === 0 ? 'input' : i === nodes.length ? `${i} (output)` : String(i))), edges };
}

function opsOnNodes(arch: string, space: SearchSpace<unknown>): CellGraph | null {
  try {
    const g = space.toGraph(space.parse(arch));
    const labels: string[] = [];
    const edges: { from: number; to: number }[] = [];
    for (let i = 0; i < g.nodeCount; i++) {
      labels.push(space.nodeOps[g.ops[i]] ?? `node ${i}`);
      for (let j = 0; j < g.nodeCount; j++) if (g.adjacency[i * space.maxNodes + j]) edges.push({ from: i, to: j });
    }
    return { labels, edges };
  } catch {
    return null;
  }
}

const SHORT: Record<string, string> = { nor_conv_3x3: 'conv 3x3', nor_conv_1x1: 'conv 1x1', avg_pool_3x3: 'avg pool 3x3', skip_connect: 'skip', 'conv3x3-bn-relu': 'conv 3x3', 'conv1x1-bn-relu': 'conv 1x1', maxpool3x3: 'max pool 3x3' };

/**
 * A drawing of a cell: nodes left to right in order, edges as arcs (labelled with their
 * operation where operations sit on edges). NAS-Bench-201-style strings are read directly;
 * other spaces through their op-on-node graph.
 */
export function cellSvg(arch: string, space?: SearchSpace<unknown>, options: { width?: number; height?: number; title?: string } = {}): string {
  const graph = opsOnEdges(arch) ?? (space ? opsOnNodes(arch, space) : null);
  const width = options.width ?? 420;
  const height = options.height ?? 220;
  const parts = [`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ${FONT} class="cell">`, `<rect width="100%" height="100%" fill="white"/>`];
  parts.push(
    `<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" fill="#444"/></marker></defs>`,
  );
  const top = options.title ? 28 : 8;
  if (options.title) parts.push(`<text x="8" y="18" font-size="14" font-weight="bold" fill="#222">${escapeXml(options.title)}</text>`);
  if (!graph) {
    parts.push(`<text x="8" y="${top + 20}" font-size="12" fill="#888">no drawing for ${escapeXml(arch.slice(0, 60))}</text></svg>`);
    return parts.join('');
  }
  const n = graph.labels.length;
  const mid = top + (height - top) / 2;
  const r = 15;
  const xs = (i: number) => 40 + (i * (width - 80)) / Math.max(1, n - 1);
  const maxSpan = Math.max(1, ...graph.edges.map((e) => e.to - e.from));
  let arcs = 0;
  graph.edges.forEach((e) => {
    const x1 = xs(e.from) + (e.to - e.from === 1 ? r : 0);
    const x2 = xs(e.to) - (e.to - e.from === 1 ? r : 0);
    const span = e.to - e.from;
    // Adjacent nodes: straight; longer spans: arcs alternately above and below, higher for longer spans.
    const side = span === 1 ? 0 : arcs++ % 2 === 0 ? -1 : 1;
    const lift = side * (14 + ((height - top) / 2 - 44) * (span / maxSpan));
    const sy = span === 1 ? mid : mid + side * r * 0.7;
    const cx = (x1 + x2) / 2;
    const cy = mid + lift * 2 - (span === 1 ? 0 : side * r * 0.7);
    parts.push(`<path d="M${x1.toFixed(1)},${sy.toFixed(1)} Q${cx.toFixed(1)},${cy.toFixed(1)} ${x2.toFixed(1)},${sy.toFixed(1)}" fill="none" stroke="#444" stroke-width="1.4" marker-end="url(#arrow)"/>`);
    if (e.label) {
      const ly = span === 1 ? mid - 6 : (sy + cy) / 2 + (side < 0 ? -2 : 10);
      parts.push(`<text x="${cx.toFixed(1)}" y="${ly.toFixed(1)}" text-anchor="middle" font-size="11" fill="#1f4e79" paint-order="stroke" stroke="white" stroke-width="3">${escapeXml(SHORT[e.label] ?? e.label)}</text>`);
    }
  });
  graph.labels.forEach((label, i) => {
    const x = xs(i);
    parts.push(`<circle cx="${x.toFixed(1)}" cy="${mid}" r="${r}" fill="#eef4fb" stroke="#1f6fb4" stroke-width="1.5"/>`);
    const short = SHORT[label] ?? label;
    if (short.length <= 3) parts.push(`<text x="${x.toFixed(1)}" y="${mid + 4}" text-anchor="middle" font-size="11" fill="#222">${escapeXml(short)}</text>`);
    else parts.push(`<text x="${x.toFixed(1)}" y="${mid + r + 14}" text-anchor="middle" font-size="10" fill="#222">${escapeXml(short)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('');
}
