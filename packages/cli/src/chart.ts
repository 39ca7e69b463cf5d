import { createRequire } from 'node:module';
import type { MethodResult } from './results';

// Learning curves through vega-lite (compiled to a vega spec, rendered headless to SVG) and resvg (SVG → PNG).
// The DejaVu font ships with the package, so PNG text renders on a machine without fonts.

const FONT_FAMILY = 'DejaVu Sans';

/** The bundled TrueType font's path. */
export function fontFile(): string {
  return createRequire(import.meta.url).resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf');
}

/** The vega-lite spec: one line per method (mean return) over a band of its 95% CI. */
export function curveSpec(methods: readonly MethodResult[], title: string): Record<string, unknown> {
  const values = methods.flatMap((m) =>
    m.mean.map((mean, k) => ({
      method: m.name,
      episode: k + 1,
      mean,
      lo: mean - (m.ci95[k] ?? 0),
      hi: mean + (m.ci95[k] ?? 0),
    })),
  );
  const x = {
    field: 'episode',
    type: 'quantitative',
    title: 'in-context episode',
    axis: { tickMinStep: 1 },
    scale: { zero: false, nice: false },
  };
  const color = { field: 'method', type: 'nominal', title: 'method', sort: methods.map((m) => m.name) };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width: 640,
    height: 360,
    background: 'white',
    // One legend for both layers, drawn as solid lines (not the bands' faint swatches).
    // labelLimit 0: method names are shown whole (zoo names are long and differ only at the end).
    config: {
      font: FONT_FAMILY,
      legend: { symbolType: 'stroke', symbolStrokeWidth: 3, symbolOpacity: 1, labelLimit: 0 },
    },
    data: { values },
    layer: [
      {
        mark: { type: 'area', opacity: 0.18 },
        encoding: {
          x,
          y: { field: 'lo', type: 'quantitative' },
          y2: { field: 'hi' },
          color,
        },
      },
      {
        mark: { type: 'line', strokeWidth: 2 },
        encoding: {
          x,
          y: { field: 'mean', type: 'quantitative', title: 'mean return (95% CI band)' },
          color,
        },
      },
    ],
  };
}

/** Renders the curves as SVG text. */
export async function renderSvg(methods: readonly MethodResult[], title: string): Promise<string> {
  const vega = await import('vega');
  const vl = await import('vega-lite');
  const compiled = vl.compile(curveSpec(methods, title) as never).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Renders SVG to PNG at 2× with the bundled font only. */
export async function svgToPng(svg: string): Promise<Uint8Array> {
  const { Resvg } = await import('@resvg/resvg-js');
  const resvg = new Resvg(svg, {
    font: { fontFiles: [fontFile()], loadSystemFonts: false, defaultFontFamily: FONT_FAMILY },
    fitTo: { mode: 'zoom', value: 2 },
  });
  return resvg.render().asPng();
}
