/**
 * The forecast chart as an SVG document: expected cash-in per week as bars, the 80 % band of each week
 * as a whisker from its low to its high, week start dates (in the founder's zone) under the bars,
 * amounts in major units with the currency up the side, the title, and the overdue balance.
 * One currency per chart: nothing is added across currencies.
 *
 * Pure: a string in, a string out. src/app/chart-png.ts rasterizes it with resvg, which draws text
 * with the Inter font it is given (`font-family="Inter"`), so the output is the same everywhere.
 * Every piece of text is escaped for XML.
 */
import type { CurrencyProjection } from './forecast.js';
import { formatMoney, toMajorUnits } from './money.js';
import { localDate } from './time.js';

export type ForecastChartOptions = { title: string; width?: number; height?: number; timeZone: string };

export const CHART_COLORS = {
  background: '#ffffff',
  bar: '#4f46e5',
  whisker: '#111827',
  text: '#111827',
  muted: '#4b5563',
  grid: '#e5e7eb',
  axis: '#9ca3af',
} as const;

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Text for XML content and attribute values; characters XML 1.0 cannot hold at all are dropped. */
export function escapeXml(text: string): string {
  return (
    text
      // biome-ignore lint/suspicious/noControlCharactersInRegex: these are exactly the characters XML forbids.
      .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '')
      .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      .replace(/'/g, '&apos;')
  );
}

/** "7 Dec": the calendar day an instant falls on in `timeZone`. */
export function weekLabel(start: Date, timeZone: string): string {
  const [, month, day] = localDate(start, timeZone).split('-');
  return `${Number(day)} ${MONTHS[Number(month) - 1] ?? ''}`;
}

/** A round step (1, 2, 2.5 or 5 × 10^k) giving about `count` intervals up to `max`. */
export function niceStep(max: number, count = 4): number {
  if (!(max > 0)) return 1;
  const raw = max / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((f) => f * power).find((s) => s >= raw) ?? 10 * power;
  return step;
}

const r1 = (x: number) => Math.round(x * 10) / 10;
const finite = (x: number) => (Number.isFinite(x) && x > 0 ? x : 0);

function text(x: number, y: number, content: string, attrs: string): string {
  return `<text x="${r1(x)}" y="${r1(y)}" ${attrs}>${escapeXml(content)}</text>`;
}

export function forecastChartSvg(projection: CurrencyProjection, options: ForecastChartOptions): string {
  const width = Math.max(200, Math.round(options.width ?? 800));
  const height = Math.max(150, Math.round(options.height ?? 400));
  const { currency } = projection;
  const major = (minor: number) => toMajorUnits({ minor: finite(minor), currency });
  const weeks = projection.weeks.map((w) => ({ start: w.start, expected: major(w.expected), low: major(w.low), high: major(w.high) }));

  const left = 96;
  const right = 20;
  const top = 84;
  const bottom = 40;
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const peak = Math.max(0, ...weeks.flatMap((w) => [w.expected, w.high]));
  const step = niceStep(peak);
  const axisMax = Math.max(step, Math.ceil(peak / step - 1e-9) * step);
  const y = (v: number) => top + plotH * (1 - Math.min(v, axisMax) / axisMax);
  const slot = weeks.length > 0 ? plotW / weeks.length : plotW;
  const barW = Math.max(2, slot * 0.6);
  const labelEvery = Math.max(1, Math.ceil(40 / slot));
  const decimals = step < 1 ? 2 : 0;
  const number = new Intl.NumberFormat('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });

  const parts: string[] = [];
  parts.push(`<rect x="0" y="0" width="${width}" height="${height}" fill="${CHART_COLORS.background}"/>`);
  parts.push(text(left, 30, options.title, `font-size="18" fill="${CHART_COLORS.text}"`));
  const overdue = formatMoney({ minor: Math.round(finite(projection.overdue)), currency });
  parts.push(text(left, 54, `Expected cash-in by week, ${currency} · overdue balance ${overdue}`, `font-size="13" fill="${CHART_COLORS.muted}"`));

  // Legend, top right.
  const lx = width - right - 190;
  parts.push(`<rect x="${r1(lx)}" y="63" width="12" height="12" fill="${CHART_COLORS.bar}"/>`);
  parts.push(text(lx + 17, 73, 'Expected', `font-size="12" fill="${CHART_COLORS.muted}"`));
  parts.push(`<line x1="${r1(lx + 90)}" y1="62" x2="${r1(lx + 90)}" y2="76" stroke="${CHART_COLORS.whisker}" stroke-width="1.5"/>`);
  parts.push(text(lx + 98, 73, '80% band', `font-size="12" fill="${CHART_COLORS.muted}"`));

  // Grid and amounts.
  for (let k = 0; k * step <= axisMax + step / 2; k += 1) {
    const v = k * step;
    const gy = y(v);
    parts.push(
      `<line x1="${left}" y1="${r1(gy)}" x2="${width - right}" y2="${r1(gy)}" stroke="${v === 0 ? CHART_COLORS.axis : CHART_COLORS.grid}" stroke-width="1"/>`,
    );
    parts.push(text(left - 8, gy + 4, `${currency} ${number.format(v)}`, `font-size="11" text-anchor="end" fill="${CHART_COLORS.muted}"`));
  }

  weeks.forEach((w, i) => {
    const cx = left + slot * (i + 0.5);
    const by = y(w.expected);
    const day = localDate(w.start, options.timeZone);
    parts.push(
      `<rect class="expected" data-week="${day}" x="${r1(cx - barW / 2)}" y="${r1(by)}" width="${r1(barW)}" height="${r1(top + plotH - by)}" fill="${CHART_COLORS.bar}"/>`,
    );
    if (w.high > w.low) {
      const hy = y(w.high);
      const ly = y(w.low);
      const cap = Math.max(3, barW * 0.25);
      parts.push(
        `<path class="band" d="M${r1(cx)} ${r1(hy)}V${r1(ly)}M${r1(cx - cap)} ${r1(hy)}H${r1(cx + cap)}M${r1(cx - cap)} ${r1(ly)}H${r1(cx + cap)}" stroke="${CHART_COLORS.whisker}" stroke-width="1.5" fill="none"/>`,
      );
    }
    if (i % labelEvery === 0) {
      parts.push(text(cx, top + plotH + 18, weekLabel(w.start, options.timeZone), `font-size="11" text-anchor="middle" fill="${CHART_COLORS.muted}"`));
    }
  });
  if (weeks.length === 0) {
    parts.push(text(left + plotW / 2, top + plotH / 2, 'No weeks to show', `font-size="13" text-anchor="middle" fill="${CHART_COLORS.muted}"`));
  }

  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Inter">`,
    `<title>${escapeXml(options.title)}</title>`,
    ...parts,
    '</svg>',
  ].join('\n');
}
