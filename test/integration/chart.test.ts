/**
 * The forecast chart rasterized for real: resvg's native module and the Inter font from node_modules.
 * The PNG is checked for its size and dimensions, and decoded to pixels to prove it is not blank:
 * bars in the bar colour, and text (the title) drawn with the bundled font.
 */
import { describe, expect, it } from 'vitest';
import { interFontFile, rasterize, renderPng } from '../../src/app/chart-png.js';
import type { CurrencyProjection } from '../../src/domain/forecast.js';
import { CHART_COLORS, forecastChartSvg } from '../../src/domain/forecast-chart.js';

const TZ = 'Europe/Berlin';
const DAY = 86_400_000;
const MONDAY = new Date('2026-12-06T23:00:00Z');
const projection = (expected: readonly number[]): CurrencyProjection => ({
  currency: 'USD',
  overdue: 320_000,
  weeks: expected.map((e, i) => ({ start: new Date(MONDAY.getTime() + i * 7 * DAY), expected: e, low: e * 0.55, high: e * 1.5 })),
});
const FIVE = [1_250_000, 830_000, 2_100_000, 400_000, 150_000];
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

const hex = (color: string) => [1, 3, 5].map((i) => Number.parseInt(color.slice(i, i + 2), 16));
const [BAR_R, BAR_G, BAR_B] = hex(CHART_COLORS.bar);

type Pixels = { data: Buffer; width: number; height: number };
function countWhere(p: Pixels, box: { x0: number; y0: number; x1: number; y1: number }, test: (r: number, g: number, b: number) => boolean): number {
  let n = 0;
  for (let y = box.y0; y < box.y1; y += 1)
    for (let x = box.x0; x < box.x1; x += 1) {
      const i = (y * p.width + x) * 4;
      if (test(p.data[i] ?? 0, p.data[i + 1] ?? 0, p.data[i + 2] ?? 0)) n += 1;
    }
  return n;
}
const near = (a: number, b: number | undefined) => Math.abs(a - (b ?? -99)) <= 6;
const isBar = (r: number, g: number, b: number) => near(r, BAR_R) && near(g, BAR_G) && near(b, BAR_B);
const isBackground = (r: number, g: number, b: number) => r >= 250 && g >= 250 && b >= 250;
const isDark = (r: number, g: number, b: number) => r < 110 && g < 110 && b < 110;

describe('the forecast chart as PNG', () => {
  it('finds the Inter font in node_modules', () => {
    expect(interFontFile()).toMatch(/@expo-google-fonts\/inter\/400Regular\/Inter_400Regular\.ttf$/);
  });

  it.each([
    [800, 400, FIVE],
    [1200, 600, Array.from({ length: 13 }, (_, i) => 200_000 + ((i * 7919) % 13) * 90_000)],
  ])('renders %i×%i: PNG signature, IHDR size, a sane byte size', (width, height, expected) => {
    const svg = forecastChartSvg(projection(expected), { title: 'Cash-in forecast, USD', timeZone: TZ, width, height });
    const started = performance.now();
    const png = renderPng(svg);
    const ms = performance.now() - started;
    console.info(`chart ${width}×${height}, ${expected.length} weeks: ${png.length} bytes in ${ms.toFixed(1)} ms`);
    expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    expect(png.subarray(12, 16).toString('latin1')).toBe('IHDR');
    expect(png.readUInt32BE(16)).toBe(width);
    expect(png.readUInt32BE(20)).toBe(height);
    expect(png.length).toBeGreaterThan(5 * 1024);
    expect(png.length).toBeLessThan(500 * 1024);
    expect(ms).toBeLessThan(2_000);
  });

  it('is not blank: bars in their colour, and the title drawn as dark text', () => {
    const svg = forecastChartSvg(projection(FIVE), { title: 'Cash-in forecast, USD', timeZone: TZ });
    const image = rasterize(svg);
    const p: Pixels = { data: image.pixels, width: image.width, height: image.height };
    expect([p.width, p.height, p.data.length]).toEqual([800, 400, 800 * 400 * 4]);
    const all = { x0: 0, y0: 0, x1: 800, y1: 400 };
    const painted = p.width * p.height - countWhere(p, all, isBackground);
    expect(painted / (p.width * p.height)).toBeGreaterThan(0.08);
    // Five bars, each about 82 px wide and at least 20 px tall.
    expect(countWhere(p, all, isBar)).toBeGreaterThan(5 * 60 * 20);
    // The title sits at the top left, above the plot: dark pixels there are its glyphs.
    expect(countWhere(p, { x0: 90, y0: 10, x1: 400, y1: 36 }, isDark)).toBeGreaterThan(200);
    // Week labels under the plot: text there too.
    expect(countWhere(p, { x0: 96, y0: 365, x1: 780, y1: 395 }, (r, g, b) => !isBackground(r, g, b))).toBeGreaterThan(100);
  });

  it('draws no bar colour when there is nothing to show, and survives any title', () => {
    const svg = forecastChartSvg({ currency: 'EUR', overdue: 0, weeks: [] }, { title: `<&>"' \u0000 ]]> 💸`, timeZone: TZ });
    const image = rasterize(svg);
    const p: Pixels = { data: image.pixels, width: image.width, height: image.height };
    // The legend swatch is the only bar-coloured thing left (12 × 12).
    expect(countWhere(p, { x0: 0, y0: 0, x1: 800, y1: 400 }, isBar)).toBeLessThanOrEqual(12 * 12);
    expect(countWhere(p, { x0: 0, y0: 90, x1: 800, y1: 400 }, isBar)).toBe(0);
  });
});
