import { learningCurve } from '@icrl/core';

/** One method's returns: `returns[run][episode]`. */
export interface Curve {
  label: string;
  color: string;
  /** Draw the line dashed (reference lines such as the oracle). */
  dashed?: boolean;
  returns: readonly (readonly number[])[];
}

const escapeXml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A standalone SVG line chart: mean return per episode with a shaded 95% CI band (Student's t), one line per method. */
export function curvesSvg(title: string, curves: Curve[], yMax: number): string {
  const [w, h] = [640, 380];
  const m = { left: 56, right: 150, top: 40, bottom: 48 };
  const episodes = curves[0]?.returns[0]?.length ?? 1;
  const x = (k: number) => m.left + (k / Math.max(1, episodes - 1)) * (w - m.left - m.right);
  const y = (v: number) => h - m.bottom - (v / yMax) * (h - m.top - m.bottom);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" font-family="sans-serif" font-size="12">`,
    `<title>${escapeXml(title)}</title>`,
    `<rect width="${w}" height="${h}" fill="white"/>`,
    `<text x="${m.left}" y="24" font-size="15" font-weight="bold">${escapeXml(title)}</text>`,
  ];
  for (let i = 0; i <= 4; i++) {
    const v = (yMax * i) / 4;
    parts.push(
      `<line x1="${m.left}" x2="${w - m.right}" y1="${y(v)}" y2="${y(v)}" stroke="#e5e5e5"/>`,
      `<text x="${m.left - 8}" y="${y(v) + 4}" text-anchor="end">${+v.toFixed(1)}</text>`,
    );
  }
  for (let k = 0; k < episodes; k += Math.max(1, Math.ceil(episodes / 10))) {
    parts.push(`<text x="${x(k)}" y="${h - m.bottom + 18}" text-anchor="middle">${k + 1}</text>`);
  }
  parts.push(
    `<text x="${(m.left + w - m.right) / 2}" y="${h - 10}" text-anchor="middle">episode (in context, no weight updates)</text>`,
    `<text transform="translate(16 ${(m.top + h - m.bottom) / 2}) rotate(-90)" text-anchor="middle">return</text>`,
  );
  curves.forEach((c, ci) => {
    const { mean, ci95: half } = learningCurve(c.returns);
    const upper = mean.map((v, k) => `${x(k)},${y(Math.min(yMax, v + half[k]!))}`);
    const lower = mean.map((v, k) => `${x(k)},${y(Math.max(0, v - half[k]!))}`).reverse();
    parts.push(
      `<polygon points="${[...upper, ...lower].join(' ')}" fill="${c.color}" fill-opacity="0.15"/>`,
      `<polyline points="${mean.map((v, k) => `${x(k)},${y(v)}`).join(' ')}" fill="none" stroke="${c.color}" stroke-width="2.5"${c.dashed ? ' stroke-dasharray="7 5"' : ''}/>`,
      `<line x1="${w - m.right + 14}" x2="${w - m.right + 34}" y1="${m.top + 10 + ci * 22}" y2="${m.top + 10 + ci * 22}" stroke="${c.color}" stroke-width="3"/>`,
      `<text x="${w - m.right + 40}" y="${m.top + 14 + ci * 22}">${escapeXml(c.label)}</text>`,
    );
  });
  parts.push('</svg>');
  return parts.join('\n');
}
