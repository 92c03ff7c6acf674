import { describe, expect, it } from 'vitest';
import type { CurrencyProjection, WeekBand } from '../../src/domain/forecast.js';
import { escapeXml, forecastChartSvg, niceStep, weekLabel } from '../../src/domain/forecast-chart.js';

const TZ = 'Europe/Berlin';
const DAY = 86_400_000;
/** Monday 7 December 2026, 00:00 in Berlin. */
const MONDAY = new Date('2026-12-06T23:00:00Z');
const weeks = (expected: readonly number[]): WeekBand[] =>
  expected.map((e, i) => ({ start: new Date(MONDAY.getTime() + i * 7 * DAY), expected: e, low: e * 0.5, high: e * 1.5 }));
const usd = (expected: readonly number[], overdue = 320_000): CurrencyProjection => ({ currency: 'USD', overdue, weeks: weeks(expected) });

const count = (svg: string, pattern: RegExp) => svg.match(pattern)?.length ?? 0;
/** The text left once every tag is taken out: markup characters there mean something was not escaped. */
const textOnly = (svg: string) => svg.replace(/<\/?[a-zA-Z][^<>]*>/g, '');

describe('the forecast chart as SVG', () => {
  it.each([
    [5, [1_250_000, 830_000, 2_100_000, 400_000, 0]],
    [13, Array.from({ length: 13 }, (_, i) => (i + 1) * 100_000)],
  ])('draws one bar and one band per week (%i weeks)', (n, expected) => {
    const svg = forecastChartSvg(usd(expected), { title: 'Forecast', timeZone: TZ });
    expect(count(svg, /<rect class="expected"/g)).toBe(n);
    // A week with nothing expected has no band to draw.
    expect(count(svg, /<path class="band"/g)).toBe(expected.filter((e) => e > 0).length);
    expect(svg).toContain('data-week="2026-12-07"');
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="800" height="400"/);
    expect(svg).not.toContain('NaN');
  });

  it('labels weeks by their start in the founder zone, amounts in major units with the currency, and the overdue balance', () => {
    const svg = forecastChartSvg(usd([1_250_000, 830_000, 2_100_000, 400_000, 0]), { title: 'Cash-in', timeZone: TZ, width: 640, height: 320 });
    expect(svg).toContain('width="640" height="320"');
    for (const label of ['7 Dec', '14 Dec', '21 Dec', '28 Dec', '4 Jan']) expect(svg).toContain(`>${label}</text>`);
    // The highest point is 31,500.00 (21,000 × 1.5): the axis goes to 40,000 in steps of 10,000.
    for (const tick of ['USD 0', 'USD 10,000', 'USD 20,000', 'USD 30,000', 'USD 40,000']) expect(svg).toContain(`>${tick}</text>`);
    expect(svg).toContain('overdue balance USD 3,200.00');
  });

  it('draws bars in proportion to the expected amount', () => {
    const svg = forecastChartSvg(usd([1_000_000, 2_000_000]), { title: 'x', timeZone: TZ });
    const heights = [...svg.matchAll(/<rect class="expected"[^>]* height="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(heights).toHaveLength(2);
    expect((heights[1] ?? 0) / (heights[0] ?? 1)).toBeCloseTo(2, 1);
  });

  it('keeps a zero-decimal currency whole', () => {
    const svg = forecastChartSvg({ currency: 'JPY', overdue: 50_000, weeks: weeks([120_000]) }, { title: 'JPY', timeZone: TZ });
    expect(svg).toContain('overdue balance JPY 50,000');
    expect(svg).toContain('>JPY 50,000</text>');
  });

  it('escapes every piece of text, the title included', () => {
    const title = `Acme <script>alert("x")</script> & 'Co'\u0007 ]]>`;
    const svg = forecastChartSvg(usd([100_000]), { title, timeZone: TZ });
    expect(svg).not.toContain('<script>');
    expect(svg).toContain('Acme &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &apos;Co&apos; ]]&gt;');
    const text = textOnly(svg);
    expect(text).not.toMatch(/[<>]/);
    expect(text).not.toMatch(/&(?!(amp|lt|gt|quot|apos);)/);
    expect(svg).not.toContain('\u0007');
  });

  it('draws an empty chart without weeks, and ignores amounts that are not numbers', () => {
    const empty = forecastChartSvg({ currency: 'EUR', overdue: 0, weeks: [] }, { title: 'Nothing', timeZone: TZ });
    expect(count(empty, /<rect class="expected"/g)).toBe(0);
    expect(empty).toContain('No weeks to show');
    const odd = forecastChartSvg(
      { currency: 'EUR', overdue: Number.NaN, weeks: [{ start: MONDAY, expected: Number.NaN, low: -5, high: Number.POSITIVE_INFINITY }] },
      { title: 'Odd', timeZone: TZ },
    );
    expect(odd).not.toMatch(/NaN|Infinity/);
    expect(count(odd, /<rect class="expected"/g)).toBe(1);
  });
});

describe('chart helpers', () => {
  it.each([
    ['plain', 'plain'],
    ['a & b', 'a &amp; b'],
    ['<x y="1">', '&lt;x y=&quot;1&quot;&gt;'],
    ["it's", 'it&apos;s'],
    ['bell\u0007 nul\u0000 tab\tnl\n', 'bell nul tab\tnl\n'],
    ['lone \uD800 surrogate', 'lone  surrogate'],
    ['emoji 💸 stays', 'emoji 💸 stays'],
  ])('escapeXml(%j)', (input, output) => {
    expect(escapeXml(input)).toBe(output);
  });

  it.each([
    [0, 1],
    [4, 1],
    [31_500, 10_000],
    [9_000, 2_500],
    [7_000, 2_000],
    [1, 0.25],
  ])('a round step for a peak of %d is %d', (max, step) => {
    expect(niceStep(max)).toBeCloseTo(step, 10);
  });

  it('names a week by the local date of its start', () => {
    expect(weekLabel(MONDAY, TZ)).toBe('7 Dec');
    expect(weekLabel(MONDAY, 'UTC')).toBe('6 Dec');
    expect(weekLabel(new Date('2027-01-03T23:00:00Z'), TZ)).toBe('4 Jan');
  });
});
