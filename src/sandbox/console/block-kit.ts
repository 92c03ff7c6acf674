/**
 * Renders Slack Block Kit (messages and modals) to HTML for the sandbox console. Pure string work,
 * no DOM: every piece of text is HTML-escaped before any markup is added around it.
 */
type Json = Record<string, unknown>;

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Slack escapes &, < and > in message text; undo that before escaping for HTML. */
function decodeSlack(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

function inline(text: string): string {
  let html = escapeHtml(decodeSlack(text));
  html = html.replace(/```([\s\S]*?)```/g, (_m, code: string) => `<pre>${code.replace(/^\n/, '')}</pre>`);
  html = html.replace(/`([^`\n]+)`/g, '<code>$1</code>');
  html = html.replace(/(^|[\s(>])\*([^*\n]+)\*(?=$|[\s).,:;!?<])/g, '$1<strong>$2</strong>');
  html = html.replace(/(^|[\s(>])_([^_\n]+)_(?=$|[\s).,:;!?<])/g, '$1<em>$2</em>');
  html = html.replace(/(^|[\s(>])~([^~\n]+)~(?=$|[\s).,:;!?<])/g, '$1<del>$2</del>');
  return emoji(html).replace(/\n/g, '<br>');
}

function emoji(html: string): string {
  return html.replace(/:([a-z0-9_+-]+):/g, (m, name: string) => EMOJI[name] ?? m);
}

/** Slack's emoji names, drawn with symbols every system font has, so the console needs no emoji font. */
const EMOJI: Readonly<Record<string, string>> = {
  white_check_mark: '✔',
  no_entry: '✖',
  warning: '⚠',
  hourglass: '⚠',
  moneybag: '$',
  wastebasket: '⌫',
  x: '✖',
  alarm_clock: '⚠',
  outbox_tray: '➚',
  memo: '✎',
};

/** Slack mrkdwn: links, mentions and the usual emphasis. */
export function mrkdwn(text: string): string {
  const out: string[] = [];
  let last = 0;
  for (const match of text.matchAll(/<([^<>]+)>/g)) {
    out.push(inline(text.slice(last, match.index)));
    const [target = '', label] = (match[1] ?? '').split('|');
    if (target.startsWith('@')) out.push(`<span class="mention">@${escapeHtml(target.slice(1))}</span>`);
    else if (target.startsWith('#')) out.push(`<span class="mention">#${escapeHtml(label ?? target.slice(1))}</span>`);
    else if (target.startsWith('!')) out.push(`<span class="mention">@${escapeHtml(target.slice(1))}</span>`);
    else if (/^https?:\/\//.test(target))
      out.push(`<a href="${escapeHtml(decodeSlack(target))}" target="_blank" rel="noopener">${inline(label ?? target)}</a>`);
    else out.push(inline(match[0]));
    last = (match.index ?? 0) + match[0].length;
  }
  out.push(inline(text.slice(last)));
  return out.join('');
}

function textObject(t: unknown): string {
  const o = t as Json | undefined;
  if (!o || typeof o.text !== 'string') return '';
  if (o.type === 'mrkdwn') return mrkdwn(o.text);
  const plain = o.emoji === false ? escapeHtml(o.text) : emoji(escapeHtml(o.text));
  return plain.replace(/\n/g, '<br>');
}

function button(element: Json, ts: string): string {
  const style = element.style === 'primary' || element.style === 'danger' ? ` ${element.style}` : '';
  return `<button class="sk-button${style}" data-ts="${escapeHtml(ts)}" data-action="${escapeHtml(String(element.action_id ?? ''))}">${textObject(element.text)}</button>`;
}

function image(element: Json, cls: string): string {
  const url = String(element.image_url ?? '');
  if (!/^https?:\/\//.test(url)) return '';
  return `<img class="${cls}" src="${escapeHtml(url)}" alt="${escapeHtml(String(element.alt_text ?? ''))}">`;
}

function element(e: Json, ts: string): string {
  if (e.type === 'button') return button(e, ts);
  if (e.type === 'image') return image(e, 'sk-context-image');
  return `<span>${textObject(e)}</span>`;
}

function input(block: Json): string {
  const el = (block.element ?? {}) as Json;
  const id = escapeHtml(String(block.block_id ?? el.action_id ?? ''));
  const type = el.type === 'email_text_input' ? 'email' : el.type === 'url_text_input' ? 'url' : el.type === 'number_input' ? 'number' : 'text';
  const value = typeof el.initial_value === 'string' ? escapeHtml(el.initial_value) : '';
  const max = typeof el.max_length === 'number' ? ` maxlength="${el.max_length}"` : '';
  const field =
    el.multiline === true
      ? `<textarea name="${id}"${max}>${value}</textarea>`
      : `<input name="${id}" type="${type}" value="${value}"${max}${block.optional === true ? '' : ' required'}>`;
  const hint = block.hint ? `<small>${textObject(block.hint)}</small>` : '';
  return `<label class="sk-input"><span>${textObject(block.label)}${block.optional === true ? ' <em>(optional)</em>' : ''}</span>${field}${hint}<b class="sk-error" data-error-for="${id}"></b></label>`;
}

export function renderBlocks(blocks: readonly unknown[], ts = ''): string {
  return blocks
    .map((raw) => {
      const b = raw as Json;
      switch (b.type) {
        case 'header':
          return `<h3 class="sk-header">${textObject(b.text)}</h3>`;
        case 'divider':
          return '<hr class="sk-divider">';
        case 'section': {
          const fields = Array.isArray(b.fields)
            ? `<div class="sk-fields">${(b.fields as unknown[]).map((f) => `<div>${textObject(f)}</div>`).join('')}</div>`
            : '';
          const accessory = b.accessory ? element(b.accessory as Json, ts) : '';
          return `<div class="sk-section">${b.text ? `<div class="sk-text">${textObject(b.text)}</div>` : ''}${fields}${accessory}</div>`;
        }
        case 'context':
          return `<div class="sk-context">${((b.elements as Json[]) ?? []).map((e) => element(e, ts)).join(' ')}</div>`;
        case 'actions':
          return `<div class="sk-actions">${((b.elements as Json[]) ?? []).map((e) => element(e, ts)).join('')}</div>`;
        case 'image':
          return `<figure class="sk-image">${image(b, '')}${b.title ? `<figcaption>${textObject(b.title)}</figcaption>` : ''}</figure>`;
        case 'input':
          return input(b);
        default:
          return `<div class="sk-unknown">Unsupported block: ${escapeHtml(String(b.type))}</div>`;
      }
    })
    .join('');
}

export function renderModal(id: string, modal: object): string {
  const view: Json = Object.fromEntries(Object.entries(modal));
  // Slack checks inputs itself; here the bot's own validation answers, so the browser's is off.
  return `<form class="sk-modal" data-view="${escapeHtml(id)}" novalidate>
  <header>${textObject(view.title)}</header>
  <div class="sk-modal-body">${renderBlocks((view.blocks as unknown[]) ?? [])}</div>
  <footer><button type="button" class="sk-button" data-close="${escapeHtml(id)}">${textObject(view.close) || 'Cancel'}</button><button type="submit" class="sk-button primary">${textObject(view.submit) || 'Submit'}</button></footer>
</form>`;
}
