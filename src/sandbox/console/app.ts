/**
 * The sandbox console in the browser: polls /api/state, draws the three panels and turns clicks
 * into calls on the console API, which hands them to the emulators and, through them, to the bot.
 */
import { escapeHtml, renderModal, type ConfirmDialog } from './block-kit.js';
import { homeHtml, messageKeys, messagesHtml } from './channel.js';
import { cardTsOf, text, type Invoice, type Row, type State } from './model.js';
import { CREDIT_PERCENT, clientsHtml, invoicesHtml, ledgerHtml } from './tables.js';

const $ = <T extends Element>(selector: string): T => {
  const found = document.querySelector<T>(selector);
  if (!found) throw new Error(`missing ${selector}`);
  return found;
};

let current: State | null = null;
const drawn = new Map<string, string>();
/** Threads the founder opened in full (parent ts), and long replies opened ("more:" + ts). */
const expanded = new Set<string>();
/** Messages, replies and whispers already on the page, so new ones can be brought into view. */
const seen = new Set<string>();

type Json = Record<string, unknown>;

async function api(method: string, path: string, body?: unknown, onError: (message: string) => void = toast): Promise<Json> {
  const res = await fetch(path, { method, headers: { 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const json = (await res.json().catch(() => ({}))) as Json;
  if (!res.ok) onError(String(json.error ?? `Request failed (${res.status})`));
  return json;
}

let toastTimer = 0;

function toast(message: string): void {
  const el = $<HTMLDivElement>('#toast');
  el.textContent = message;
  el.hidden = false;
  // A second message gets its own four seconds.
  window.clearTimeout(toastTimer);
  toastTimer = window.setTimeout(() => {
    el.hidden = true;
  }, 4000);
}

function isTyping(el: Element | null): boolean {
  return el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement || el instanceof HTMLSelectElement;
}

/** Redraws a panel only when its content changed and the founder is not typing in it. */
function draw(selector: string, html: string): void {
  const el = $<HTMLElement>(selector);
  if (drawn.get(selector) === html || (isTyping(document.activeElement) && el.contains(document.activeElement))) return;
  drawn.set(selector, html);
  el.innerHTML = html;
}

/** " (+2 d 5 h)": how far the sandbox clock runs ahead of real time. */
function ahead(offsetMs: number): string {
  if (offsetMs <= 0) return '';
  const hours = Math.round(offsetMs / 3600_000);
  const days = Math.floor(hours / 24);
  return ` (+${days > 0 ? `${days} d ` : ''}${hours % 24} h)`;
}

/** Briefly highlights what just appeared or what a hint points at. */
function flash(el: Element | null): void {
  if (!el) return;
  el.classList.remove('flash');
  void (el as HTMLElement).offsetWidth;
  el.classList.add('flash');
}

function messageEl(key: string): HTMLElement | null {
  const [kind, id = ''] = key.split(/:(.*)/);
  return document.querySelector<HTMLElement>(kind === 'eph' ? `[data-ephemeral="${CSS.escape(id)}"]` : `#messages .message[data-ts="${CSS.escape(id)}"]`);
}

/** The Slack pane's tab: the channel, or Cashin's App Home. */
type Tab = 'channel' | 'home';
let tab: Tab = 'channel';
/** While the founder is on the Home tab, what arrived in the channel, to show on coming back. */
let unread: string[] = [];
/** Between opening the Home tab and Cashin publishing its view. */
let opening = false;
const scrollOf: Record<Tab, number> = { channel: 0, home: 0 };

/** New messages, replies and whispers: highlighted, and the last one brought into view as Slack does. */
function revealNew(state: State): void {
  const keys = messageKeys(state);
  const fresh = keys.filter((k) => !seen.has(k));
  const first = seen.size === 0;
  for (const k of keys) seen.add(k);
  if (first || fresh.length === 0) return;
  if (tab !== 'channel') {
    unread.push(...fresh);
    $('#tab-channel').classList.add('unread');
    return;
  }
  bringIntoView(fresh);
}

function bringIntoView(fresh: readonly string[]): void {
  for (const k of fresh) flash(messageEl(k));
  const last = fresh.at(-1) ?? '';
  const el = messageEl(last);
  // A reply lands under its card in the middle of the channel; anything else at the bottom.
  el?.scrollIntoView({ block: el.classList.contains('reply') ? 'nearest' : 'end' });
}

/** What a Stripe button started, followed until Cashin's answer shows, then pointed at. */
type FollowUp = { kind: string; invoiceId: string; milestoneId: string; label: string; replies: number; credited: number; until: number };
let followUp: FollowUp | null = null;

function hint(html: string): void {
  const el = $<HTMLParagraphElement>('#stripe-hint');
  el.innerHTML = html;
  el.hidden = html === '';
}

function repliesUnder(state: State, ts: string | null): number {
  return state.channel.messages.find((m) => m.ts === ts)?.replies.length ?? 0;
}

function startFollowUp(kind: string, invoice: Invoice, state: State): void {
  const row = state.ledger.milestones.find((m) => m.id === invoice.milestoneId);
  const label = `${invoice.number ?? invoice.id}${row ? ` (${text(row.values.Milestone)})` : ''}`;
  const what: Record<string, string> = {
    fail: `The client's card was declined on ${escapeHtml(label)}. Cashin opens an exception: <em>Dispute reason</em> "Payment failed" in Notion and a reply under the card in Slack…`,
    dispute: `The client's bank disputed the payment of ${escapeHtml(label)}. Cashin opens an exception: <em>Invoice status</em> Disputed and a <em>Dispute reason</em> in Notion, and a reply under the card in Slack…`,
    'credit-note': `Credit note of ${CREDIT_PERCENT} % issued on ${escapeHtml(label)}. Cashin records it in <em>Amount credited</em> and on the card; reminders chase only what remains…`,
  };
  if (!row || !what[kind]) return;
  hint(what[kind] ?? '');
  followUp = {
    kind,
    invoiceId: invoice.id,
    milestoneId: row.id,
    label,
    replies: repliesUnder(state, cardTsOf(row)),
    credited: Number(row.values['Amount credited'] ?? 0),
    until: Date.now() + 20_000,
  };
}

function showCard(ts: string, at: 'card' | 'latest'): void {
  // What the console points at is in the channel, even when the founder is looking at App Home.
  showTab('channel');
  const card = document.querySelector<HTMLElement>(`#messages .message[data-ts="${CSS.escape(ts)}"]`);
  const thread = document.querySelector<HTMLElement>(`#messages .thread[data-parent="${CSS.escape(ts)}"]`);
  const target = at === 'latest' ? (thread?.querySelector<HTMLElement>('.reply:last-of-type') ?? card) : card;
  target?.scrollIntoView({ block: at === 'latest' ? 'center' : 'start' });
  flash(card);
  flash(target);
}

/** Once Cashin has answered what a Stripe button did, says where the answer is and shows it. */
function checkFollowUp(state: State): void {
  if (!followUp) return;
  const f = followUp;
  const row: Row | undefined = state.ledger.milestones.find((m) => m.id === f.milestoneId);
  const ts = cardTsOf(row);
  const reason = text(row?.values['Dispute reason']);
  const credited = Number(row?.values['Amount credited'] ?? 0);
  const answered = f.kind === 'credit-note' ? credited > f.credited : reason !== '' && repliesUnder(state, ts) > f.replies;
  if (answered && ts) {
    followUp = null;
    hint(
      f.kind === 'credit-note'
        ? `Credit note recorded on ${escapeHtml(f.label)}: <em>Amount credited</em> ${escapeHtml(String(credited))} in Notion, and the card (in view on the left) shows it.`
        : `Exception opened on ${escapeHtml(f.label)}: "${escapeHtml(reason)}". Its reply under the card is in view on the left, with Resume and Void and reissue; the Notion row shows <em>Dispute reason</em>. <button type="button" class="link" data-show-card="${escapeHtml(ts)}">Show again</button>`,
    );
    showCard(ts, f.kind === 'credit-note' ? 'card' : 'latest');
    flash(document.querySelector(`tr[data-row="${CSS.escape(f.milestoneId)}"]`));
  } else if (Date.now() > f.until) {
    followUp = null;
    hint(`Cashin has not answered about ${escapeHtml(f.label)} yet; it reads Stripe every few seconds. Look under the card in Slack.`);
  }
}

function render(state: State): void {
  current = state;
  $<HTMLTimeElement>('#clock').textContent =
    `${new Date(state.clock.now).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short' })}${ahead(state.clock.offsetMs)}`;
  draw('#messages', messagesHtml(state, expanded));
  revealNew(state);
  draw('#home', homeHtml(state, opening));
  draw('#ledger', ledgerHtml(state));
  draw('#invoices', invoicesHtml(state));
  draw('#clients', clientsHtml(state));
  draw('#add-client', state.ledger.clients.map((c) => `<option value="${escapeHtml(c.id)}">${escapeHtml(text(c.values.Client))}</option>`).join(''));
  checkFollowUp(state);
  const modal = $<HTMLDivElement>('#modal');
  const view = state.channel.views.at(-1);
  if (!view) {
    modal.hidden = true;
    modal.innerHTML = '';
    drawn.delete('#modal');
    return;
  }
  modal.hidden = false;
  draw('#modal', renderModal(view.id, view.view));
}

async function refresh(): Promise<void> {
  const res = await fetch('/api/state');
  if (res.ok) render((await res.json()) as State);
}

async function afterAction(): Promise<void> {
  await refresh();
  window.setTimeout(() => void refresh(), 400);
}

/**
 * Shows the channel or App Home. Opening Home is what makes Cashin draw it: the console asks
 * Slack to send app_home_opened, and the view Cashin publishes replaces the one shown.
 */
function showTab(next: Tab): void {
  const panel = $<HTMLElement>('.panel.slack');
  if (next === tab && next === 'channel') return;
  scrollOf[tab] = panel.scrollTop;
  tab = next;
  $<HTMLElement>('#messages').hidden = next !== 'channel';
  $<HTMLElement>('#home').hidden = next !== 'home';
  for (const button of document.querySelectorAll<HTMLButtonElement>('button[data-tab]'))
    button.setAttribute('aria-selected', String(button.dataset.tab === next));
  if (next === 'home') {
    opening = true;
    if (current) render(current);
    panel.scrollTop = 0;
    void api('POST', '/api/home', {}).then(() => {
      opening = false;
      return afterAction();
    });
    return;
  }
  panel.scrollTop = scrollOf.channel;
  $('#tab-channel').classList.remove('unread');
  const fresh = unread;
  unread = [];
  if (fresh.length > 0) bringIntoView(fresh);
}

function onWeeklyButton(button: HTMLButtonElement): void {
  button.disabled = true;
  const job = button.dataset.weekly ?? '';
  const before = new Set(current?.channel.messages.map((m) => m.ts) ?? []);
  void api('POST', '/api/weekly', { job }).then(async (res) => {
    button.disabled = false;
    if (typeof res.message !== 'string') return;
    toast(res.message);
    // The post lands in the channel: show it there, from its first message (the chart comes before the summary).
    showTab('channel');
    await refresh();
    const first = current?.channel.messages.find((m) => !before.has(m.ts));
    if (first) showCard(first.ts, 'card');
    window.setTimeout(() => void refresh(), 400);
  });
}

function onInvoiceButton(button: HTMLButtonElement): void {
  const id = button.dataset.invoice ?? '';
  const found = current?.invoices.find((i) => i.id === id);
  const todo = button.dataset.do ?? '';
  const path = todo === 'pay-half' ? 'pay' : todo;
  const body = todo === 'pay-half' && found ? { amount: Math.floor(found.amountRemaining / 2) } : todo === 'credit-note' ? { percent: CREDIT_PERCENT } : {};
  button.disabled = true;
  void api('POST', `/api/invoices/${encodeURIComponent(id)}/${path}`, body).then((res) => {
    if (res.ok === true && found && current) startFollowUp(todo, found, current);
    if (res.ok === true && todo === 'pay') hint(`${escapeHtml(found?.number ?? id)} paid: Cashin marks the row Paid and the card says so; the reminders stop.`);
    return afterAction();
  });
}

/** A button with a confirmation: the dialog Slack shows, and the click goes only on confirm. */
function askFirst(action: HTMLButtonElement): void {
  const dialog = JSON.parse(action.dataset.confirm ?? '{}') as ConfirmDialog;
  const overlay = document.createElement('div');
  overlay.className = 'sk-confirm-overlay';
  // The texts were escaped when the button was drawn (block-kit.ts).
  overlay.innerHTML = `<div class="sk-confirm" role="alertdialog" aria-modal="true">
    <h3>${dialog.title}</h3><p>${dialog.text}</p>
    <footer><button type="button" class="sk-button" data-deny>${dialog.deny}</button><button type="button" class="sk-button ${dialog.danger ? 'danger' : 'primary'}" data-confirm-yes>${dialog.confirm}</button></footer>
  </div>`;
  overlay.addEventListener('click', (event) => {
    const t = event.target instanceof Element ? event.target : null;
    if (t?.closest('[data-confirm-yes]')) {
      action.dataset.confirmed = 'yes';
      overlay.remove();
      action.click();
    } else if (t?.closest('[data-deny]') || t === overlay) overlay.remove();
    event.stopPropagation();
  });
  document.body.append(overlay);
}

document.addEventListener('click', (event) => {
  const target = event.target instanceof Element ? event.target : null;
  const action = target?.closest<HTMLButtonElement>('button[data-action]');
  if (action?.dataset.confirm && action.dataset.confirmed !== 'yes') return askFirst(action);
  if (action) {
    delete action.dataset.confirmed;
    action.disabled = true;
    // A button in a message only the founder sees: Slack sends no message with the click, only the ephemeral's container.
    const ephemeral = action.closest<HTMLElement>('[data-ephemeral]');
    const click = ephemeral
      ? api('POST', '/api/click-ephemeral', { n: Number(ephemeral.dataset.ephemeral), actionId: action.dataset.action })
      : api('POST', '/api/click', { ts: action.dataset.ts, actionId: action.dataset.action });
    void click.then(afterAction);
    return;
  }
  const tabButton = target?.closest<HTMLButtonElement>('button[data-tab]');
  if (tabButton) return showTab(tabButton.dataset.tab === 'home' ? 'home' : 'channel');
  const weekly = target?.closest<HTMLButtonElement>('button[data-weekly]');
  if (weekly) return onWeeklyButton(weekly);
  const clock = target?.closest<HTMLButtonElement>('button[data-clock]');
  if (clock) return void api('POST', '/api/clock', { by: clock.dataset.clock }).then(afterAction);
  const invoice = target?.closest<HTMLButtonElement>('button[data-invoice]');
  if (invoice) return onInvoiceButton(invoice);
  const close = target?.closest<HTMLButtonElement>('button[data-close]');
  if (close) return void api('POST', `/api/views/${close.dataset.close ?? ''}/close`, {}).then(afterAction);
  const command = target?.closest<HTMLButtonElement>('button[data-command]');
  if (command) {
    // The answer shows in the channel, under what the founder typed.
    showTab('channel');
    return void api('POST', '/api/command', { text: command.dataset.command ?? '' }).then(afterAction);
  }
  const expand = target?.closest<HTMLButtonElement>('button[data-expand], button[data-more]');
  if (expand && current) {
    const key = expand.dataset.expand ?? `more:${expand.dataset.more ?? ''}`;
    if (!expanded.delete(key)) expanded.add(key);
    return render(current);
  }
  const show = target?.closest<HTMLButtonElement>('button[data-show-card]');
  if (show) return showCard(show.dataset.showCard ?? '', 'latest');
});

document.addEventListener('change', (event) => {
  const el = event.target;
  if (!(el instanceof HTMLInputElement || el instanceof HTMLSelectElement) || !el.dataset.prop) return;
  const value = el instanceof HTMLInputElement && el.type === 'checkbox' ? el.checked : el.value;
  const table = el.dataset.table === 'clients' ? 'clients' : 'milestones';
  void api('PATCH', `/api/${table}/${el.dataset.id ?? ''}`, { property: el.dataset.prop, value }).then(() => {
    el.blur();
    return afterAction();
  });
});

/** What the Slack client itself refuses before sending (a number outside its bounds), as Slack words it under the field. */
function clientSideErrors(form: HTMLFormElement): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const input of form.querySelectorAll<HTMLInputElement>('input[type="number"]')) {
    if (input.value === '') continue;
    const n = Number(input.value);
    const [min, max] = [input.min === '' ? -Infinity : Number(input.min), input.max === '' ? Infinity : Number(input.max)];
    const whole = input.step !== 'any';
    if (!Number.isFinite(n) || n < min || n > max || (whole && !Number.isInteger(n))) {
      const range = Number.isFinite(min) && Number.isFinite(max) ? ` from ${min} to ${max}` : '';
      errors[input.name] = `Enter ${whole ? 'a whole number' : 'a number'}${range}.`;
    }
  }
  return errors;
}

function showErrors(form: HTMLFormElement, errors: Record<string, string>): void {
  for (const [field, message] of Object.entries(errors)) {
    const slot = form.querySelector(`[data-error-for="${CSS.escape(field)}"]`);
    if (slot) slot.textContent = message;
    else toast(message);
  }
}

function submitView(form: HTMLFormElement): void {
  for (const slot of form.querySelectorAll('.sk-error')) slot.textContent = '';
  const errors = clientSideErrors(form);
  if (Object.keys(errors).length > 0) {
    showErrors(form, errors);
    return;
  }
  // Values keyed by block id; the Slack emulator turns each into the state Slack sends (value, selected_date, selected_option).
  const values = Object.fromEntries([...new FormData(form).entries()].map(([k, v]) => [k, String(v)]));
  // The emulator names the field it refuses ("snooze_days: 0 is below 1"): show it there.
  const refused = (message: string) => {
    const [, field = '', why = message] = /^([\w-]+): (.*)$/s.exec(message) ?? [];
    if (form.querySelector(`[data-error-for="${CSS.escape(field)}"]`)) showErrors(form, { [field]: why });
    else toast(message);
  };
  void api('POST', `/api/views/${form.dataset.view}`, { values }, refused).then((res) => {
    if (res.error) return;
    const answer = res.answer as { response_action?: string; errors?: Record<string, string> } | null;
    if (answer?.response_action === 'errors') return showErrors(form, answer.errors ?? {});
    (document.activeElement as HTMLElement | null)?.blur();
    return afterAction();
  });
}

// An answer under a field stands until the founder changes that field, as in Slack.
document.addEventListener('input', (event) => {
  const el = event.target;
  if (!(el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement || el instanceof HTMLSelectElement) || !el.closest('.sk-modal')) return;
  const slot = el.closest('.sk-input')?.querySelector('.sk-error');
  if (slot) slot.textContent = '';
});

document.addEventListener('submit', (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement)) return;
  event.preventDefault();
  const data = Object.fromEntries(new FormData(form).entries());
  if (form.id === 'command') {
    showTab('channel');
    void api('POST', '/api/command', { text: data.text ?? '' }).then(afterAction);
    form.reset();
  } else if (form.id === 'add-milestone') {
    void api('POST', '/api/milestones', { title: data.title, clientId: data.clientId, amount: data.amount ? Number(data.amount) : null }).then(afterAction);
    form.reset();
  } else if (form.dataset.view) {
    submitView(form);
  }
});

void refresh();
window.setInterval(() => void refresh(), 1000);
