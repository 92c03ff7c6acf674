/**
 * What the bot has seen of one Notion table, and from when to read it again.
 *
 * Reads start from Notion's own clock (the Date of its answers) less an overlap, because
 * `last_edited_time` is rounded down to the minute and a second edit in the same minute may not move
 * it. So the cursor advances on an idle ledger too, and an old ledger is not read again on every poll.
 * A page counts as changed only when a property the bot reads differs from what it saw last, so the
 * overlap and the bot's own writes cost nothing.
 */
import type { PageObjectResponse } from '@notionhq/client';
import { fingerprint } from './from-page.js';

/** Re-read this far behind the last read: a minute for Notion's rounding, and a minute to spare. */
export const OVERLAP_MS = 2 * 60_000;

export class ChangeFeed {
  #cursor: number | null = null;
  readonly #prints = new Map<string, string>();

  /** Whether the table was read once already. */
  get started(): boolean {
    return this.#cursor !== null;
  }

  /** The on_or_after bound of the next incremental read; null before the first read. */
  sinceIso(): string | null {
    return this.#cursor === null ? null : new Date(this.#cursor - OVERLAP_MS).toISOString();
  }

  /**
   * Pages from a read that began at Notion time `readAt`: returns the ones that changed, and moves
   * the cursor to `readAt`. Without Notion's clock it falls back to the newest edit seen.
   */
  take(pages: readonly PageObjectResponse[], readAt: Date | null): PageObjectResponse[] {
    const changed = pages.filter((p) => this.#prints.get(p.id) !== fingerprint(p));
    for (const page of pages) this.remember(page);
    const next = readAt?.getTime() ?? Math.max(this.#cursor ?? 0, ...pages.map((p) => Date.parse(p.last_edited_time)));
    if (next > 0) this.#cursor = Math.max(this.#cursor ?? next, next);
    return changed;
  }

  /** A page the bot read or wrote on its own: its next appearance in a read is not news. */
  remember(page: PageObjectResponse): void {
    this.#prints.set(page.id, fingerprint(page));
  }
}
