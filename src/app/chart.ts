/**
 * The Monday chart: the SVG the domain draws, rasterized by resvg. The native rasterizer is loaded
 * the first time a chart is drawn, not at start-up: most hours of the week it is not needed. A chart
 * that cannot be drawn leaves the post without it, with a warning.
 */
import { forecastChartSvg } from '../domain/forecast-chart.js';
import type { CurrencyProjection } from '../domain/forecast.js';
import type { Logger } from '../log.js';

export function chartRenderer(timeZone: string, logger: Logger): (projection: CurrencyProjection, title: string) => Promise<Uint8Array | null> {
  return async (projection, title) => {
    try {
      const { renderPng } = await import('./chart-png.js');
      return renderPng(forecastChartSvg(projection, { title, timeZone }));
    } catch (error) {
      logger.warn({ reason: error instanceof Error ? error.message : String(error) }, 'forecast chart not drawn');
      return null;
    }
  };
}
