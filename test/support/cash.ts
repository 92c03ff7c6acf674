/**
 * What the cash desk suites share: Monday 08:00 in the world's zone, and where the Monday posts and
 * the Forecasts table's rows are.
 */
import { CHANNEL, type World } from './world.js';

/** Monday 7 December 2026, 08:00 in Berlin (the world's CASHIN_TIMEZONE). */
export const MONDAY = new Date('2026-12-07T07:00:00Z');
export const DAY = 86_400_000;

export function cashLookups(world: () => World) {
  return {
    /** Top-level messages in the cards' channel whose text holds `text`. */
    posts: (text: string) =>
      world()
        .slack.topLevel(CHANNEL)
        .filter((m) => m.text.includes(text)),
    /** The Forecasts table's rows, oldest week first. */
    forecastRows: () =>
      world()
        .notion.emulator.rowsOf(world().notion.ledgerIds.forecastsDb)
        .map((id) => world().notion.emulator.pageValues(id))
        .sort((a, b) => String(a.Week).localeCompare(String(b.Week))),
  };
}
