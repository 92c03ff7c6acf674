/**
 * The Slack panel: Cashin's messages in the order posted, each card with its thread under it
 * (indented, oldest reply first, the latest few shown), then what only the founder sees.
 */
import { escapeHtml, mrkdwn, renderBlocks } from './block-kit.js';
import type { Message, SharedFile, State } from './model.js';

/** Replies shown under a card before "Show earlier replies". */
export const SHOWN_REPLIES = 3;

export function when(at: string): string {
  return new Date(at).toLocaleString('en-GB', { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });
}

function body(m: { text: string; blocks: unknown[]; files?: readonly SharedFile[] }, ts = ''): string {
  const content = m.blocks.length > 0 ? renderBlocks(m.blocks, ts) : m.text || !m.files?.length ? `<div>${mrkdwn(m.text)}</div>` : '';
  return content + (m.files ?? []).map(file).join('');
}

function size(bytes: number): string {
  return bytes < 1024 ? `${bytes} B` : bytes < 1024 * 1024 ? `${Math.round(bytes / 1024)} KB` : `${Math.round(bytes / 102.4 / 1024) / 10} MB`;
}

/** A file shared in the channel: an image shows under its title, as in Slack; anything else is a link to download it. */
function file(f: SharedFile): string {
  const url = `/api/files/${encodeURIComponent(f.id)}`;
  const title = escapeHtml(f.title || f.name);
  const caption = `<figcaption><span class="file-title">${title}</span> <span class="meta">${escapeHtml(f.name)} · ${size(f.size)}</span></figcaption>`;
  if (!f.type.startsWith('image/')) return `<figure class="file" data-file="${escapeHtml(f.id)}">${caption}<a href="${url}" download>Download</a></figure>`;
  const box = f.width && f.height ? ` width="${f.width}" height="${f.height}"` : '';
  return `<figure class="file" data-file="${escapeHtml(f.id)}">${caption}<a href="${url}" target="_blank" rel="noopener" title="Open full size"><img src="${url}" alt="${title}"${box}></a></figure>`;
}

/** All the text in some blocks, to tell a long reply from a short one. */
function textLength(blocks: readonly unknown[]): number {
  return (
    JSON.stringify(blocks)
      .match(/"text":"(?:[^"\\]|\\.)*"/g)
      ?.reduce((n, t) => n + t.length, 0) ?? 0
  );
}

/** Replies longer than this show their first lines and "Show more", as Slack does with long messages. */
const LONG_REPLY = 450;

/** A long reply's text, clipped until the founder asks for more; its buttons always show. */
function replyBody(m: Message, open: boolean): string {
  const split = m.blocks.length - [...m.blocks].reverse().findIndex((b) => (b as { type?: unknown }).type !== 'actions');
  const [content, actions] = split > m.blocks.length ? [m.blocks, []] : [m.blocks.slice(0, split), m.blocks.slice(split)];
  if (m.blocks.length === 0 || textLength(content) <= LONG_REPLY) return body(m, m.ts);
  const toggle = `<button type="button" class="link" data-more="${escapeHtml(m.ts)}">${open ? 'Show less' : 'Show more'}</button>`;
  return `<div class="${open ? '' : 'clamp'}">${renderBlocks(content, m.ts)}</div>${toggle}${renderBlocks(actions, m.ts)}`;
}

function message(m: Message, reply: boolean, expanded: ReadonlySet<string>): string {
  const broadcast =
    reply && m.broadcast ? ' · <span class="broadcast" title="Posted with reply_broadcast: it shows in the channel too">also sent to the channel</span>' : '';
  return `
    <article class="message${reply ? ' reply' : ''}" data-ts="${escapeHtml(m.ts)}"><div class="avatar">C</div><div>
      <div class="meta"><strong>Cashin</strong> · <time title="On the bot's clock">${when(m.at)}</time>${m.edited ? ' (edited)' : ''}${broadcast}</div>
      ${reply ? replyBody(m, expanded.has(`more:${m.ts}`)) : body(m, m.ts)}
    </div></article>`;
}

function thread(parent: string, replies: readonly Message[], expanded: ReadonlySet<string>): string {
  if (replies.length === 0) return '';
  const all = expanded.has(parent);
  const hidden = all ? 0 : Math.max(0, replies.length - SHOWN_REPLIES);
  const count = `${replies.length} repl${replies.length === 1 ? 'y' : 'ies'}`;
  const toggle =
    replies.length > SHOWN_REPLIES
      ? ` · <button type="button" class="link" data-expand="${escapeHtml(parent)}">${all ? 'Show only the latest' : `Show ${hidden} earlier`}</button>`
      : '';
  return `<div class="thread" data-parent="${escapeHtml(parent)}" role="group" aria-label="Thread: ${count}">
    <div class="thread-head">Thread · ${count}${toggle}</div>
    ${replies
      .slice(hidden)
      .map((r) => message(r, true, expanded))
      .join('')}
  </div>`;
}

/** `expanded` holds the threads opened in full (by parent ts) and the long replies opened ("more:" + ts). */
export function messagesHtml(state: State, expanded: ReadonlySet<string>): string {
  const messages = state.channel.messages.map((m) => message(m, false, expanded) + thread(m.ts, m.replies, expanded));
  const whispers = state.channel.ephemerals.map(
    (e) => `
    <article class="message ephemeral" data-ephemeral="${e.n}"><div class="avatar">C</div><div>
      <div class="meta"><strong>Cashin</strong> · Only visible to you</div>
      ${body(e)}
    </div></article>`,
  );
  const all = [...messages, ...whispers].join('');
  if (!all) return '<p class="meta">No messages yet. Mark a milestone Delivered in the ledger.</p>';
  // The approvers Cashin mentions: the sandbox has one, the founder using this console.
  return all.replaceAll(
    `<span class="mention">@${escapeHtml(state.founder)}</span>`,
    `<span class="mention" title="${escapeHtml(state.founder)}">@founder (you)</span>`,
  );
}

/** Every message and reply the panel shows, by the key it carries in the page (data-ts or data-ephemeral). */
export function messageKeys(state: State): string[] {
  return [
    ...state.channel.messages.flatMap((m) => [`ts:${m.ts}`, ...m.replies.map((r) => `ts:${r.ts}`)]),
    ...state.channel.ephemerals.map((e) => `eph:${e.n}`),
  ];
}

/**
 * The App Home tab: the view Cashin last published for the founder, drawn from its Block Kit.
 * `opening` while the console has asked Slack to open the tab and Cashin has not answered yet.
 */
export function homeHtml(state: State, opening: boolean): string {
  const home = state.channel.home;
  const status = opening ? 'Opening… Cashin draws this tab each time it is opened' : home?.at ? `Drawn ${when(home.at)}, when you opened this tab` : '';
  const head = `<div class="home-head"><div class="avatar">C</div><div><strong>Cashin</strong><div class="meta" role="status">${escapeHtml(status)}</div></div></div>`;
  if (!home) return `${head}<p class="meta">${opening ? '' : 'Cashin has not drawn this tab yet.'}</p>`;
  return `${head}<div class="home-body${opening ? ' stale' : ''}">${renderBlocks(home.blocks, '')}</div>`;
}
