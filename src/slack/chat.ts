/** The Chat port over Slack's Web API: one card per milestone, updated in place. */
import type { webApi } from '@slack/bolt';
import type { CardView } from '../domain/card-view.js';
import type { Chat } from '../workflows/ports.js';
import { truncate } from '../domain/text.js';
import { renderCard } from './blocks/card.js';
import { SLACK_LIMITS } from './blocks/limits.js';
import { escapeMrkdwn, truncateMrkdwn } from './blocks/mrkdwn.js';

type WebClient = webApi.WebClient;

/** Errors meaning the card is gone and a new one should be posted. */
const GONE = new Set(['message_not_found', 'channel_not_found', 'cant_update_message', 'is_archived']);

export class SlackChat implements Chat {
  readonly #client: WebClient;
  readonly #channel: string;

  constructor(client: WebClient, channel: string) {
    this.#client = client;
    this.#channel = channel;
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
