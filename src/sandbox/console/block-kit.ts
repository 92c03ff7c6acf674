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

/** Slack turns a bare web address in mrkdwn into a link; trailing punctuation stays text. */
function linkify(html: string): string {
  return html.replace(/(^|[\s(>])(https?:\/\/(?:[^\s<&]|&#38;)+?)(?=[.,;:!?)]*(?:$|[\s<]))/g, '$1<a href="$2" target="_blank" rel="noopener">$2</a>');
}

function inline(text: string, links = true): string {
  let html = escapeHtml(decodeSlack(text));
  if (links) html = linkify(html);
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
  arrow_right: '→',
  white_small_square: '▫',
  grey_question: '?',
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
      out.push(`<a href="${escapeHtml(decodeSlack(target))}" target="_blank" rel="noopener">${inline(label ?? target, false)}</a>`);
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
  const confirm = confirmOf(element.confirm);
  const asks = confirm ? ` data-confirm="${escapeHtml(JSON.stringify(confirm))}"` : '';
  return `<button class="sk-button${style}" data-ts="${escapeHtml(ts)}" data-action="${escapeHtml(String(element.action_id ?? ''))}"${asks}>${textObject(element.text)}</button>`;
}

/** A button's confirmation dialog, its texts as HTML: Slack asks before it sends the click. */
export type ConfirmDialog = { title: string; text: string; confirm: string; deny: string; danger: boolean };

function confirmOf(value: unknown): ConfirmDialog | null {
  if (!value || typeof value !== 'object') return null;
  const c = value as Json;
  return {
    title: textObject(c.title) || 'Are you sure?',
    text: textObject(c.text),
    confirm: textObject(c.confirm) || 'Yes',
    deny: textObject(c.deny) || 'Cancel',
    danger: c.style === 'danger',
  };
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

/** The options of a static_select or radio_buttons element, groups flattened. */
function optionsOf(el: Json): { text: unknown; value: string }[] {
  const groups = Array.isArray(el.option_groups) ? (el.option_groups as Json[]) : [];
  return [...(Array.isArray(el.options) ? (el.options as Json[]) : []), ...groups.flatMap((g) => (Array.isArray(g.options) ? (g.options as Json[]) : []))].map(
    (o) => ({ text: o.text, value: String(o.value ?? '') }),
  );
}

const initialOption = (el: Json): string | null => {
  const o = el.initial_option as Json | undefined;
  return o && typeof o.value === 'string' ? o.value : null;
};

/**
 * One input element of a modal, named by its block id: the console posts the form's values keyed
 * by block id, and the Slack emulator turns each into the state Slack would send (value,
 * selected_date, selected_option).
 */
function field(el: Json, id: string, required: boolean, labelId: string): string {
  const req = required ? ' required' : '';
  const placeholder = el.placeholder ? ` placeholder="${escapeHtml(String((el.placeholder as Json).text ?? ''))}"` : '';
  switch (el.type) {
    case 'datepicker': {
      const value = typeof el.initial_date === 'string' ? escapeHtml(el.initial_date) : '';
      return `<input name="${id}" type="date" value="${value}"${req}>`;
    }
    case 'number_input': {
      const value = typeof el.initial_value === 'string' ? escapeHtml(el.initial_value) : '';
      const bound = (attr: string, v: unknown) => (v === undefined || v === null || v === '' ? '' : ` ${attr}="${escapeHtml(String(v))}"`);
      const step = el.is_decimal_allowed === true ? 'any' : '1';
      return `<input name="${id}" type="number" value="${value}" step="${step}"${bound('min', el.min_value)}${bound('max', el.max_value)} inputmode="${el.is_decimal_allowed === true ? 'decimal' : 'numeric'}"${placeholder}${req}>`;
    }
    case 'static_select': {
      const chosen = initialOption(el);
      const options = optionsOf(el)
        .map((o) => `<option value="${escapeHtml(o.value)}"${o.value === chosen ? ' selected' : ''}>${textObject(o.text)}</option>`)
        .join('');
      const prompt = el.placeholder ? textObject(el.placeholder) : 'Select an item';
      return `<select name="${id}"${req}><option value="">${prompt}</option>${options}</select>`;
    }
    case 'radio_buttons': {
      const chosen = initialOption(el);
      return `<div class="sk-radios" role="radiogroup" aria-labelledby="${labelId}">${optionsOf(el)
        .map(
          (o) =>
            `<label class="sk-radio"><input type="radio" name="${id}" value="${escapeHtml(o.value)}"${o.value === chosen ? ' checked' : ''}><span>${textObject(o.text)}</span></label>`,
        )
        .join('')}</div>`;
    }
    default: {
      const type = el.type === 'email_text_input' ? 'email' : el.type === 'url_text_input' ? 'url' : 'text';
      const value = typeof el.initial_value === 'string' ? escapeHtml(el.initial_value) : '';
      const max = typeof el.max_length === 'number' ? ` maxlength="${el.max_length}"` : '';
      return el.multiline === true
        ? `<textarea name="${id}" rows="4"${max}${placeholder}${req}>${value}</textarea>`
        : `<input name="${id}" type="${type}" value="${value}"${max}${placeholder}${req}>`;
    }
  }
}

function input(block: Json): string {
  const el = (block.element ?? {}) as Json;
  const id = escapeHtml(String(block.block_id ?? el.action_id ?? ''));
  const optional = block.optional === true;
  const labelId = `label-${id}`;
  const label = `<span id="${labelId}">${textObject(block.label)}${optional ? ' <em>(optional)</em>' : ''}</span>`;
  const hint = block.hint ? `<small>${textObject(block.hint)}</small>` : '';
  const error = `<b class="sk-error" data-error-for="${id}"></b>`;
  // A group of radio buttons cannot sit inside one <label>: each option has its own.
  const tag = el.type === 'radio_buttons' ? 'div' : 'label';
  return `<${tag} class="sk-input" data-input="${id}" data-type="${escapeHtml(String(el.type ?? ''))}">${label}${field(el, id, !optional, labelId)}${hint}${error}</${tag}>`;
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
  <footer><button type="button" class="sk-button" data-close="${escapeHtml(id)}">${textObject(view.close) || (view.submit ? 'Cancel' : 'Close')}</button>${view.submit ? `<button type="submit" class="sk-button primary">${textObject(view.submit)}</button>` : ''}</footer>
</form>`;
}
