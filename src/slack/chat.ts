/** The Chat port over Slack's Web API: one card per milestone, updated in place. */
import type { webApi } from '@slack/bolt';
import type { CardView } from '../domain/card-view.js';
import type { ThreadNote } from '../domain/collection-notes.js';
import type { CashReport, Chat, HomeView } from '../workflows/ports.js';
import { truncate } from '../domain/text.js';
import { renderCard } from './blocks/card.js';
import { drawAnswer, drawHome } from './blocks/cash.js';
import { SLACK_LIMITS } from './blocks/limits.js';
import { escapeMrkdwn, truncateMrkdwn } from './blocks/mrkdwn.js';
import { renderNote } from './blocks/note.js';

type WebClient = webApi.WebClient;

/** Errors meaning the card is gone and a new one should be posted. */
const GONE = new Set(['message_not_found', 'channel_not_found', 'cant_update_message', 'is_archived']);
/** Errors meaning a card's thread cannot be read or replied to. */
const THREAD_GONE = new Set(['thread_not_found', 'message_not_found', 'channel_not_found']);

/** How far Slack's clock may be behind ours when a channel is searched back to a time. */
const CLOCK_MARGIN_MS = 10 * 60_000;
/** Pages of 200 read when a channel is searched back to a time: 10,000 messages. */
const MAX_HISTORY_PAGES = 50;

/** The metadata type that marks Cashin's notes, so a thread can be searched for one already posted. */
export const NOTE_EVENT = 'cashin_note';

type Found = { metadata?: { event_type?: string; event_payload?: Record<string, unknown> }; files?: { title?: string }[] };

export class SlackChat implements Chat {
  readonly #client: WebClient;
  readonly #channel: string;
  readonly #approvers: readonly string[];

  constructor(client: WebClient, channel: string, approverIds: readonly string[] = []) {
    this.#client = client;
    this.#channel = channel;
    this.#approvers = approverIds;
  }

  /**
   * Posts under the card unless its thread already holds this note; a card deleted from Slack gets
   * its notes in the channel instead (checked against the channel's recent history).
   */
  async postNote(ref: string, note: ThreadNote): Promise<void> {
    const [channel = this.#channel, ts] = ref.split('/');
    const { text, blocks } = renderNote(note, this.#approvers);
    const metadata = { event_type: NOTE_EVENT, event_payload: { key: note.key } };
    const message = { channel, text, blocks, metadata, unfurl_links: false, unfurl_media: false };
    if (ts) {
      try {
        if (await this.#has(note.key, (cursor) => this.#client.conversations.replies({ channel, ts, include_all_metadata: true, limit: 200, cursor }))) return;
        await this.#client.chat.postMessage({ ...message, thread_ts: ts, reply_broadcast: note.needsFounder });
        return;
      } catch (error) {
        if (!THREAD_GONE.has(slackErrorCode(error))) throw error;
      }
    }
    if (await this.#has(note.key, (cursor) => this.#client.conversations.history({ channel, include_all_metadata: true, limit: 200, cursor }), 1)) return;
    await this.#client.chat.postMessage(message);
  }

  async hasNote(ref: string, key: string, since?: Date): Promise<boolean> {
    const [channel = this.#channel, ts] = ref.split('/');
    if (ts) return this.#has(key, (cursor) => this.#client.conversations.replies({ channel, ts, include_all_metadata: true, limit: 200, cursor }));
    if (!since) return this.#has(key, (cursor) => this.#client.conversations.history({ channel, include_all_metadata: true, limit: 200, cursor }), 1);
    // Every message since then, page by page (a margin for Slack's clock against ours).
    const oldest = ((since.getTime() - CLOCK_MARGIN_MS) / 1000).toFixed(6);
    return this.#has(
      key,
      (cursor) => this.#client.conversations.history({ channel, include_all_metadata: true, limit: 200, oldest, inclusive: true, cursor }),
      MAX_HISTORY_PAGES,
    );
  }

  async postReport(channel: string, report: CashReport): Promise<void> {
    const oldest = ((report.since.getTime() - CLOCK_MARGIN_MS) / 1000).toFixed(6);
    const since = (cursor: string | undefined) =>
      this.#client.conversations.history({ channel, include_all_metadata: true, limit: 200, oldest, inclusive: true, cursor });
    const { chart } = report;
    if (chart && !(await this.#has(chart.title, since, MAX_HISTORY_PAGES, (m) => (m.files ?? []).some((f) => f.title === chart.title)))) {
      await this.#client.filesUploadV2({ channel_id: channel, file: Buffer.from(chart.png), filename: chart.filename, title: chart.title });
    }
    if (await this.#has(report.key, since, MAX_HISTORY_PAGES)) return;
    const { text, blocks } = drawAnswer(report.answer);
    await this.#client.chat.postMessage({
      channel,
      text: truncate(`${report.title}: ${text}`, SLACK_LIMITS.fallbackText),
      blocks,
      metadata: { event_type: NOTE_EVENT, event_payload: { key: report.key } },
      unfurl_links: false,
      unfurl_media: false,
    });
  }

  async publishHome(userId: string, home: HomeView): Promise<void> {
    await this.#client.views.publish({ user_id: userId, view: drawHome(home) });
  }

  async #has(
    key: string,
    page: (cursor: string | undefined) => Promise<{ messages?: Found[]; response_metadata?: { next_cursor?: string } }>,
    maxPages = 20,
    matches: (m: Found) => boolean = (m) => m.metadata?.event_type === NOTE_EVENT && m.metadata.event_payload?.key === key,
  ): Promise<boolean> {
    let cursor: string | undefined;
    for (let read = 0; read < maxPages; read += 1) {
      const answer = await page(cursor);
      if ((answer.messages ?? []).some(matches)) return true;
      cursor = answer.response_metadata?.next_cursor || undefined;
      if (!cursor) return false;
    }
    return false;
  }

  async renderCard(ref: string | null, view: CardView): Promise<string> {
    const { text, blocks } = renderCard(view);
    const [channel, ts] = ref?.split('/') ?? [];
    if (channel && ts) {
      try {
        await this.#client.chat.update({ channel, ts, text, blocks });
        return `${channel}/${ts}`;
      } catch (error) {
        if (!GONE.has(slackErrorCode(error))) throw error;
      }
    }
    const posted = await this.#client.chat.postMessage({ channel: this.#channel, text, blocks, unfurl_links: false, unfurl_media: false });
    return `${posted.channel ?? this.#channel}/${posted.ts ?? ''}`;
  }

  async whisper(userId: string, text: string, draft?: string): Promise<void> {
    await this.#client.chat.postEphemeral({ channel: this.#channel, user: userId, ...whisperMessage(text, draft) });
  }
}

export function slackErrorCode(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'data' in error) {
    const data = (error as { data?: { error?: unknown } }).data;
    if (typeof data?.error === 'string') return data.error;
  }
  return '';
}

/**
 * A private message from plain text: escaped, so nothing a founder typed in Notion becomes a mention
 * or a link. A draft to copy goes in a plain_text block, which Slack shows exactly as written.
 */
export function whisperMessage(
  text: string,
  draft?: string,
): { text: string; blocks?: { type: 'section'; text: { type: 'mrkdwn' | 'plain_text'; text: string } }[] } {
  const safe = truncateMrkdwn(escapeMrkdwn(text), SLACK_LIMITS.sectionText);
  if (draft === undefined) return { text: safe };
  return {
    // The fallback text carries the draft too (escaped), for notifications and clients without blocks.
    text: truncateMrkdwn(escapeMrkdwn(`${text}\n\n${draft}`), SLACK_LIMITS.fallbackText),
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: safe } },
      { type: 'section', text: { type: 'plain_text', text: truncate(draft, SLACK_LIMITS.sectionText) } },
    ],
  };
}
