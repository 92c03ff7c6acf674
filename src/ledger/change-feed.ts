/**
 * What the bot has seen of one Notion table, and from when to read it again.
 *
 * Reads start from Notion's own clock (the Date of its answers) less an overlap, because
 * `last_edited_time` is rounded down to the minute and a second edit in the same minute may not move
 * it. So the cursor advances on an idle ledger too, and an old ledger is not read again on every poll.
 * A page counts as changed only when what the bot reads of it (its properties, and whether it is in
 * the trash) differs from what it saw last, so the overlap and the bot's own writes cost nothing.
 *
 * A read is paged in created_time order, which no edit changes. Notion stops a query at its row
 * limit (`request_status: incomplete`); the read is then unfinished: the cursor stays where it was
 * and the next poll goes on from the created_time of the last row read (the rows of that minute are
 * read again, and are not news). Only a finished read moves the cursor, to when that read began, so
 * a row edited while a long read went on is read again after it.
 *
 * Only a digest of each page is kept, and only while the page can come back in the overlap: a page
 * edited before the next read's lower bound is not in that read unless it is edited again.
 */
import { createHash } from 'node:crypto';
import type { PageObjectResponse } from '@notionhq/client';
import { fingerprint } from './from-page.js';
import { createdSince, type QueryFilter } from './open-rows.js';

/** Re-read this far behind the last read: a minute for Notion's rounding, and a minute to spare. */
export const OVERLAP_MS = 2 * 60_000;

/** Notion's created_time is rounded down to the minute. */
const MINUTE_MS = 60_000;

type Print = { digest: string; editedAt: number };

/** A read Notion cut at its row limit: when it began, and the created_time it goes on from. */
type Unfinished = { startedAt: number; createdFrom: string };

export type Taken = {
  /** The pages that changed since the bot last saw them. */
  changed: PageObjectResponse[];
  /**
   * The created_time minute left behind when more rows were created in it than one query returns:
   * the read cannot go on from inside a minute, so it goes on from the next one. Null normally.
   */
  skippedMinute: string | null;
};

export class ChangeFeed {
  #cursor: number | null = null;
  #unfinished: Unfinished | null = null;
  readonly #prints = new Map<string, Print>();

  /** Whether the table was read once to the end already. */
  get started(): boolean {
    return this.#cursor !== null;
  }

  /** The on_or_after bound of the next incremental read; null before the first read ends. */
  sinceIso(): string | null {
    return this.#cursor === null ? null : new Date(this.#cursor - OVERLAP_MS).toISOString();
  }

  /** The created_time (on_or_after) an unfinished read goes on from; null when the next read starts afresh. */
  resumeFrom(): string | null {
    return this.#unfinished?.createdFrom ?? null;
  }

  /** The filter of the next read: `filter`, narrowed to the rows still to read when the last read was cut short. */
  narrow(filter: QueryFilter | null): QueryFilter | null {
    const from = this.resumeFrom();
    return from === null ? filter : createdSince(filter, from);
  }

  /**
   * Pages from a read, in created_time order, whose first answer came at Notion time `readAt`
   * (without Notion's clock, the newest edit seen stands for it). A complete read moves the cursor
   * to when the read began (its first part, when it took several polls); an incomplete one leaves
   * the cursor and records where to go on from.
   */
  take(pages: readonly PageObjectResponse[], readAt: Date | null, complete = true): Taken {
    const changed = pages.filter((p) => this.#prints.get(p.id)?.digest !== digestOf(p));
    for (const page of pages) this.remember(page);
    const startedAt = this.#unfinished?.startedAt ?? readAt?.getTime() ?? newestEdit(pages, this.#cursor ?? 0);
    let skippedMinute: string | null = null;
    if (!complete) {
      const from = this.#unfinished?.createdFrom ?? null;
      const last = pages.at(-1)?.created_time ?? from;
      if (last !== null) {
        // No progress: the whole answer is rows of the minute it began from.
        const stuck = from !== null && Date.parse(last) <= Date.parse(from);
        if (stuck) skippedMinute = from;
        const createdFrom = stuck ? new Date(Date.parse(from) + MINUTE_MS).toISOString() : last;
        this.#unfinished = { startedAt, createdFrom };
        return { changed, skippedMinute };
      }
      // Cut short with nothing read and nowhere to go on from: nothing more can be had; treat as read.
    }
    this.#unfinished = null;
    if (startedAt > 0) this.#cursor = Math.max(this.#cursor ?? startedAt, startedAt);
    this.#prune();
    return { changed, skippedMinute };
  }

  /** A page the bot read or wrote on its own: its next appearance in a read is not news. */
  remember(page: PageObjectResponse): void {
    this.#prints.set(page.id, { digest: digestOf(page), editedAt: Date.parse(page.last_edited_time) });
  }

  /** A page the bot stopped following: whatever it looks like when read again is news. */
  forget(id: string): void {
    this.#prints.delete(id);
  }

  /** How much the feed holds: pages remembered, and characters kept for them (ids and digests). */
  footprint(): { pages: number; chars: number } {
    let chars = 0;
    for (const [id, print] of this.#prints) chars += id.length + print.digest.length;
    return { pages: this.#prints.size, chars };
  }

  /** Drops digests of pages the next read cannot return unless they are edited again. */
  #prune(): void {
    const since = this.sinceIso();
    if (since === null) return;
    const bound = Date.parse(since);
    for (const [id, print] of this.#prints) if (!(print.editedAt >= bound)) this.#prints.delete(id);
  }
}

/** 27 characters for what the bot reads of a page, however long its text. */
function digestOf(page: PageObjectResponse): string {
  return createHash('sha1').update(fingerprint(page)).digest('base64url');
}

function newestEdit(pages: readonly PageObjectResponse[], floor: number): number {
  let newest = floor;
  for (const page of pages) newest = Math.max(newest, Date.parse(page.last_edited_time) || 0);
  return newest;
}
