/**
 * The change feed on its own: what it keeps of the pages it read (a digest, and only while a page can
 * come back in the overlap), and that a page it forgot, or one restored from the trash, is news.
 */
import type { PageObjectResponse } from '@notionhq/client';
import { describe, expect, it } from 'vitest';
import { ChangeFeed, OVERLAP_MS } from '../../src/ledger/change-feed.js';
import { openRowsFilter } from '../../src/ledger/open-rows.js';

const READ_AT = new Date('2026-11-21T10:00:05Z');

/** A text as Notion returns it in a page's properties. */
function text(content: string) {
  return [
    {
      type: 'text' as const,
      text: { content, link: null },
      annotations: { bold: false, italic: false, strikethrough: false, underline: false, code: false, color: 'default' as const },
      plain_text: content,
      href: null,
    },
  ];
}

function page(id: string, edited: Date, extra: { text?: string; trashed?: boolean } = {}): PageObjectResponse {
  const trashed = extra.trashed ?? false;
  const user = { object: 'user' as const, id: 'u-founder' };
  return {
    object: 'page',
    id,
    created_time: '2026-01-01T00:00:00.000Z',
    last_edited_time: new Date(Math.floor(edited.getTime() / 60_000) * 60_000).toISOString(),
    in_trash: trashed,
    archived: trashed,
    is_archived: trashed,
    is_locked: false,
    url: `https://www.notion.so/${id}`,
    public_url: null,
    parent: { type: 'data_source_id', data_source_id: 'ds-milestones', database_id: 'db-milestones' },
    icon: null,
    cover: null,
    created_by: user,
    last_edited_by: user,
    properties: {
      Milestone: { id: 'title', type: 'title', title: text(`Row ${id}`) },
      Outcome: { id: 'o', type: 'rich_text', rich_text: text(extra.text ?? '') },
    },
  };
}

const ago = (ms: number) => new Date(READ_AT.getTime() - ms);

describe('ChangeFeed', () => {
  it('keeps nothing of pages edited before the next read can return them, and a short digest of the others', () => {
    const feed = new ChangeFeed();
    const old = Array.from({ length: 150 }, (_, i) => page(`old-${i}`, new Date('2026-03-01T00:00:00Z'), { text: 'x'.repeat(2000) }));
    const recent = Array.from({ length: 10 }, (_, i) => page(`recent-${i}`, ago(60_000), { text: 'y'.repeat(2000) }));
    expect(feed.take([...old, ...recent], READ_AT).changed).toHaveLength(160);
    const kept = feed.footprint();
    expect(kept.pages).toBe(10);
    // A digest and the id, not the page's 2,000 characters of text.
    expect(kept.chars).toBeLessThan(10 * 80);
    // What was kept is enough to tell a re-read page inside the overlap from a changed one.
    const again = new Date(READ_AT.getTime() + 30_000);
    expect(feed.take(recent, again).changed).toEqual([]);
    const changed = page('recent-3', ago(60_000), { text: 'z' });
    expect(feed.take([changed], again).changed).toEqual([changed]);
  });

  it('drops a digest once its page falls behind the overlap', () => {
    const feed = new ChangeFeed();
    feed.take([page('a', ago(60_000))], READ_AT);
    expect(feed.footprint().pages).toBe(1);
    feed.take([], new Date(READ_AT.getTime() + OVERLAP_MS + 60_000));
    expect(feed.footprint().pages).toBe(0);
  });

  it('reports a page restored from the trash, whose values did not change', () => {
    const feed = new ChangeFeed();
    const live = page('a', ago(60_000));
    feed.take([live], READ_AT);
    // The bot saw it in the trash (reading it one by one).
    feed.remember(page('a', ago(30_000), { trashed: true }));
    const restored = page('a', ago(30_000));
    expect(feed.take([restored], READ_AT).changed).toEqual([restored]);
  });

  it('reports a page it was told to forget when it is read again unchanged', () => {
    const feed = new ChangeFeed();
    const row = page('a', ago(60_000));
    feed.take([row], READ_AT);
    expect(feed.take([row], READ_AT).changed).toEqual([]);
    feed.forget('a');
    expect(feed.take([row], READ_AT).changed).toEqual([row]);
  });

  it('keeps its cursor while a read is unfinished, and moves it to when that read began once it is done', () => {
    const feed = new ChangeFeed();
    const first = [page('a', ago(3_600_000)), page('b', ago(3_600_000))];
    feed.take(first, READ_AT, false);
    expect(feed.started).toBe(false);
    expect(feed.resumeFrom()).toBe('2026-01-01T00:00:00.000Z');
    const later = new Date(READ_AT.getTime() + 10 * 60_000);
    feed.take([page('c', ago(3_600_000))], later, true);
    expect(feed.started).toBe(true);
    expect(feed.resumeFrom()).toBeNull();
    expect(feed.sinceIso()).toBe(new Date(READ_AT.getTime() - OVERLAP_MS).toISOString());
  });

  it('goes on from where a cut read stopped with a filter Notion takes: the bound in every branch, two levels of nesting at most', () => {
    const feed = new ChangeFeed();
    expect(feed.narrow(openRowsFilter('status'))).toEqual(openRowsFilter('status'));
    feed.take([page('a', ago(3_600_000))], READ_AT, false);
    const narrowed = feed.narrow(openRowsFilter('status'));
    const bound = { timestamp: 'created_time', created_time: { on_or_after: '2026-01-01T00:00:00.000Z' } };
    const depth = (f: unknown): number =>
      f !== null && typeof f === 'object' && ('and' in f || 'or' in f) ? 1 + Math.max(...(Object.values(f)[0] as unknown[]).map(depth)) : 0;
    expect(depth(narrowed)).toBe(2);
    const branches = (narrowed as { or: { and: unknown[] }[] }).or;
    expect(branches.length).toBe((openRowsFilter('status') as { or: unknown[] }).or.length);
    for (const branch of branches) expect(branch.and).toContainEqual(bound);
    expect(feed.narrow(null)).toEqual(bound);
  });
});
