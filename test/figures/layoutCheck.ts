/**
 * Measuring a rendered plotly SVG in headless Chromium and judging its layout: every text
 * element's box (its getBBox corners mapped through getScreenCTM, so rotated labels are exact
 * quadrilaterals, not their axis-aligned hulls), the legend's box and the subplots' plot areas.
 * {@link layoutProblems} is the pure judgement on those measurements.
 */
import type { Page } from "playwright-core";

export type Point = [number, number];

export interface MeasuredText {
  text: string;
  /** The four corners of the text's box in page pixels (CSS px; the SVG sits at 0,0). */
  quad: Point[];
  /** Font size in CSS px as rendered. */
  fontPx: number;
  /** The font family Chromium was asked for (the computed style). */
  fontFamily: string;
}

export interface Rect {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export interface Measured {
  width: number;
  height: number;
  texts: MeasuredText[];
  /** The legend's background box, or null when the figure has no legend. */
  legend: Rect | null;
  /** Each subplot's plot area (where data is drawn). */
  plotAreas: Rect[];
}

/** Runs in the page (plain JS: tsconfig has no DOM library). */
const MEASURE_JS = `(() => {
  const svg = document.querySelector("svg.main-svg");
  if (!svg) throw new Error("no plotly SVG in the page");
  const pt = (m, x, y) => [m.a * x + m.c * y + m.e, m.b * x + m.d * y + m.f];
  const texts = [];
  for (const t of svg.querySelectorAll("text")) {
    const s = (t.textContent || "").trim();
    if (s === "") continue;
    const cs = getComputedStyle(t);
    if (cs.display === "none" || cs.visibility === "hidden" || Number(cs.opacity) === 0) continue;
    let hidden = false;
    for (let e = t.parentElement; e && e !== svg; e = e.parentElement) {
      const ps = getComputedStyle(e);
      if (ps.display === "none" || Number(ps.opacity) === 0) hidden = true;
    }
    if (hidden) continue;
    const b = t.getBBox();
    if (b.width === 0 || b.height === 0) continue;
    const m = t.getScreenCTM();
    texts.push({
      text: s,
      quad: [pt(m, b.x, b.y), pt(m, b.x + b.width, b.y), pt(m, b.x + b.width, b.y + b.height), pt(m, b.x, b.y + b.height)],
      fontPx: parseFloat(cs.fontSize),
      fontFamily: cs.fontFamily,
    });
  }
  const box = (el) => { const r = el.getBoundingClientRect(); return { x0: r.left, y0: r.top, x1: r.right, y1: r.bottom }; };
  const bg = svg.querySelector("g.legend > rect.bg");
  const plotAreas = [];
  for (const g of svg.querySelectorAll("g.overplot > g")) {
    const ref = (g.getAttribute("clip-path") || "").match(/url\\(['"]?#([^'")]+)/);
    const clip = ref ? document.getElementById(ref[1]) : null;
    const r = clip ? clip.querySelector("rect") : null;
    if (!r) continue;
    const m = g.getScreenCTM();
    const w = Number(r.getAttribute("width")), h = Number(r.getAttribute("height"));
    const a = pt(m, 0, 0), c = pt(m, w, h);
    plotAreas.push({ x0: Math.min(a[0], c[0]), y0: Math.min(a[1], c[1]), x1: Math.max(a[0], c[0]), y1: Math.max(a[1], c[1]) });
  }
  return { width: Number(svg.getAttribute("width")), height: Number(svg.getAttribute("height")), texts, legend: bg ? box(bg) : null, plotAreas };
})()`;

/** Puts the SVG alone on the page at 0,0 and measures it. */
export async function measureSvg(page: Page, svg: string): Promise<Measured> {
  await page.setContent(`<!DOCTYPE html><html><head><meta charset="utf-8"><style>html,body{margin:0;padding:0}</style></head><body>${svg}</body></html>`);
  return (await page.evaluate(MEASURE_JS)) as Measured;
}

/** How far two convex polygons overlap: the smallest projection overlap over their edge normals (≤ 0: apart). */
export function penetration(a: readonly Point[], b: readonly Point[]): number {
  let least = Infinity;
  for (const poly of [a, b]) {
    for (let i = 0; i < poly.length; i++) {
      const p = poly[i] as Point;
      const q = poly[(i + 1) % poly.length] as Point;
      const nx = -(q[1] - p[1]);
      const ny = q[0] - p[0];
      const len = Math.hypot(nx, ny);
      if (len === 0) continue;
      const proj = (poly2: readonly Point[]) => poly2.map(([x, y]) => (x * nx + y * ny) / len);
      const pa = proj(a);
      const pb = proj(b);
      const overlap = Math.min(Math.max(...pa), Math.max(...pb)) - Math.max(Math.min(...pa), Math.min(...pb));
      least = Math.min(least, overlap);
    }
  }
  return least;
}

function rectQuad(r: Rect): Point[] {
  return [[r.x0, r.y0], [r.x1, r.y0], [r.x1, r.y1], [r.x0, r.y1]];
}

export interface LayoutLimits {
  /** Pixels a text may overlap another or pass the canvas edge (font boxes include line gaps). */
  tolerancePx: number;
  /** Smallest font size in CSS px (7 pt = 7 × 96 / 72). */
  minFontPx: number;
  /** Largest legend height as a share of the figure height. */
  maxLegendShare: number;
  /** Text that marks example data: it must not overlap a plot area. */
  examplePattern: RegExp;
}

export const DEFAULT_LIMITS: LayoutLimits = { tolerancePx: 1, minFontPx: (7 * 96) / 72, maxLegendShare: 1 / 3, examplePattern: /EXAMPLE DATA/ };

/** Every layout problem of a measured figure, in words (empty: none). Pure. */
export function layoutProblems(m: Measured, limits: LayoutLimits = DEFAULT_LIMITS): string[] {
  const tol = limits.tolerancePx;
  const out: string[] = [];
  for (const t of m.texts) {
    const xs = t.quad.map((p) => p[0]);
    const ys = t.quad.map((p) => p[1]);
    if (Math.min(...xs) < -tol || Math.max(...xs) > m.width + tol || Math.min(...ys) < -tol || Math.max(...ys) > m.height + tol) {
      out.push(`text "${t.text}" leaves the ${m.width.toFixed(0)}×${m.height.toFixed(0)} px canvas (x ${Math.min(...xs).toFixed(1)}..${Math.max(...xs).toFixed(1)}, y ${Math.min(...ys).toFixed(1)}..${Math.max(...ys).toFixed(1)})`);
    }
    if (t.fontPx < limits.minFontPx - 1e-6) out.push(`text "${t.text}" is ${((t.fontPx * 72) / 96).toFixed(2)} pt, below ${((limits.minFontPx * 72) / 96).toFixed(2)} pt`);
  }
  for (let i = 0; i < m.texts.length; i++) {
    for (let j = i + 1; j < m.texts.length; j++) {
      const a = m.texts[i] as MeasuredText;
      const b = m.texts[j] as MeasuredText;
      const d = penetration(a.quad, b.quad);
      if (d > tol) out.push(`texts "${a.text}" and "${b.text}" overlap by ${d.toFixed(1)} px`);
    }
  }
  if (m.legend !== null) {
    const h = m.legend.y1 - m.legend.y0;
    if (h > m.height * limits.maxLegendShare + tol) out.push(`the legend is ${h.toFixed(0)} px high, more than ${(limits.maxLegendShare * 100).toFixed(0)}% of ${m.height.toFixed(0)} px`);
    for (const t of m.texts) {
      if (limits.examplePattern.test(t.text) && penetration(t.quad, rectQuad(m.legend)) > tol) out.push(`the example mark "${t.text}" overlaps the legend`);
    }
  }
  for (const t of m.texts) {
    if (!limits.examplePattern.test(t.text)) continue;
    for (const r of m.plotAreas) if (penetration(t.quad, rectQuad(r)) > tol) out.push(`the example mark "${t.text}" lies over a plot area (${r.x0.toFixed(0)},${r.y0.toFixed(0)})–(${r.x1.toFixed(0)},${r.y1.toFixed(0)})`);
  }
  return out;
}
