/**
 * The sandbox console in the browser: polls /api/state, draws the three panels and turns clicks
 * into calls on the console API, which hands them to the emulators and, through them, to the bot.
 */
import { escapeHtml, mrkdwn, renderBlocks, renderModal } from './block-kit.js';

type Values = Record<string, unknown>;
type Row = { id: string; values: Values };
type View = { id: string; view: Record<string, unknown> };
type Invoice = {
  id: string;
  number: string | null;
  status: string;
  currency: string;
  total: number;
  amountPaid: number;
  amountRemaining: number;
  hostedUrl: string | null;
  customer: string;
  milestoneId: string | null;
  disputed: boolean;
  sends: number;
};
type State = {
  founder: string;
  clock: { now: string; offsetMs: number };
  channel: { messages: { ts: string; text: string; blocks: unknown[]; edited: boolean }[]; ephemerals: { text: string; blocks: unknown[] }[]; views: View[] };
  ledger: {
    milestones: Row[];
    clients: Row[];
    editable: Record<string, string | null>;
    clientEditable: Record<string, string | null>;
    options: Record<string, string[]>;
  };
  invoices: Invoice[];
};

const $ = <T extends Element>(selector: string): T => {
  const found = document.querySelector<T>(selector);
  if (!found) throw new Error(`missing ${selector}`);
  return found;
};

let current: State | null = null;
const drawn = new Map<string, string>();

async function api(method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(path, { method, headers: { 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const json = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  if (!res.ok) toast(String(json.error ?? `Request failed (${res.status})`));
  return json;
}

function toast(text: string): void {
  const el = $<HTMLDivElement>('#toast');
  el.textContent = text;
  el.hidden = false;
  window.setTimeout(() => {
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

function money(minor: number, currency: string): string {
  const code = currency.toUpperCase();
  const format = new Intl.NumberFormat('en-US', { style: 'currency', currency: code });
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  return format.format(minor / 10 ** digits);
}

const text = (v: unknown): string => (v === null || v === undefined ? '' : String(v));

function messagesHtml(state: State): string {
  const messages = state.channel.messages.map(
    (m) => `
    <article class="message"><div class="avatar">C</div><div>
      <div class="meta"><strong>Cashin</strong> · ${new Date(Number(m.ts.split('.')[0]) * 1000).toLocaleTimeString()}${m.edited ? ' (edited)' : ''}</div>
      ${m.blocks.length > 0 ? renderBlocks(m.blocks, m.ts) : `<div>${mrkdwn(m.text)}</div>`}
    </div></article>`,
  );
  const whispers = state.channel.ephemerals.map(
    (e) => `
    <article class="message ephemeral"><div class="avatar">C</div><div>
      <div class="meta"><strong>Cashin</strong> · Only visible to you</div>
      ${e.blocks.length > 0 ? renderBlocks(e.blocks) : `<div>${mrkdwn(e.text)}</div>`}
    </div></article>`,
  );
  const all = [...messages, ...whispers].join('');
  return all || '<p class="meta">No messages yet. Mark a milestone Delivered in the ledger.</p>';
}

type Table = 'milestones' | 'clients';

function cell(row: Row, prop: string, state: State, table: Table = 'milestones'): string {
  const type = (table === 'clients' ? state.ledger.clientEditable : state.ledger.editable)[prop];
  const value = row.values[prop];
  const attrs = `data-table="${table}" data-id="${escapeHtml(row.id)}" data-prop="${escapeHtml(prop)}" aria-label="${escapeHtml(prop)}"`;
  if (table === 'milestones' && prop === 'Client') {
    const chosen = Array.isArray(value) ? String(value[0] ?? '') : '';
    const options = state.ledger.clients
      .map((c) => `<option value="${escapeHtml(c.id)}"${c.id === chosen ? ' selected' : ''}>${escapeHtml(text(c.values.Client))}</option>`)
      .join('');
    return `<select ${attrs}><option value="">—</option>${options}</select>`;
  }
  if (type === 'select' || type === 'status') {
    const known = state.ledger.options[prop] ?? [];
    const options = [...new Set([...known, text(value)].filter(Boolean))];
    return `<select ${attrs}><option value="">—</option>${options.map((o) => `<option${o === value ? ' selected' : ''}>${escapeHtml(o)}</option>`).join('')}</select>`;
  }
  if (type === 'checkbox') return `<input type="checkbox" ${attrs}${value === true ? ' checked' : ''}>`;
  const inputType = type === 'number' ? 'number" step="any' : type === 'date' ? 'text" placeholder="YYYY-MM-DD' : type === 'url' ? 'url' : 'text';
  return `<input type="${inputType}" ${attrs} value="${escapeHtml(text(value))}">`;
}

const MAIN_COLUMNS = ['Milestone', 'Client', 'Stage', 'Amount', 'Currency', 'PO number', 'Acceptance evidence', 'Change order required'];

function ledgerHtml(state: State): string {
  const details = Object.keys(state.ledger.editable).filter((p) => !MAIN_COLUMNS.includes(p));
  const rows = state.ledger.milestones
    .map((row) => {
      const v = row.values;
      const invoice = v['Invoice status']
        ? `<span class="status ${escapeHtml(text(v['Invoice status']))}">${escapeHtml(text(v['Invoice status']))}</span> ${escapeHtml(text(v['Invoice number']))}`
        : '';
      const paid = v['Amount paid'] !== null && v['Amount paid'] !== undefined ? escapeHtml(text(v['Amount paid'])) : '';
      const more = `<details><summary>more</summary><div class="more">${details.map((p) => `<span>${escapeHtml(p)}</span>${cell(row, p, state)}`).join('')}</div></details>`;
      const blockers = text(v.Blockers) ? `<div class="blockers" title="${escapeHtml(text(v.Blockers))}">${escapeHtml(text(v.Blockers))}</div>` : '';
      return `<tr data-row="${escapeHtml(row.id)}">
      <td class="title">${cell(row, 'Milestone', state)}${blockers}</td>${MAIN_COLUMNS.slice(1)
        .map((p) => `<td class="narrow">${cell(row, p, state)}</td>`)
        .join('')}
      <td>${invoice}</td><td>${paid}</td><td>${more}</td></tr>`;
    })
    .join('');
  return `<table><thead><tr>${MAIN_COLUMNS.map((c) => `<th>${escapeHtml(c === 'Change order required' ? 'Change order' : c === 'Acceptance evidence' ? 'Evidence' : c)}</th>`).join('')}<th>Invoice</th><th>Paid</th><th></th></tr></thead><tbody>${rows}</tbody></table>`;
}

const CLIENT_COLUMNS = ['Client', 'Billing email', 'Currency', 'Payment terms', 'PO required', 'Tax rate', 'Reminder cadence', 'Review before send'];

function clientsHtml(state: State): string {
  const rows = state.ledger.clients
    .map(
      (row) =>
        `<tr data-client-row="${escapeHtml(row.id)}">${CLIENT_COLUMNS.map((p) => `<td class="${p === 'Client' ? 'title' : 'narrow'}">${cell(row, p, state, 'clients')}</td>`).join('')}<td class="meta">${escapeHtml(text(row.values['Stripe customer']))}</td></tr>`,
    )
    .join('');
  return `<table><thead><tr>${CLIENT_COLUMNS.map((c) => `<th>${escapeHtml(c)}</th>`).join('')}<th>Stripe customer</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function invoicesHtml(state: State): string {
  if (state.invoices.length === 0) return '<p class="meta">No invoices yet.</p>';
  const titles = new Map(state.ledger.milestones.map((m) => [m.id, text(m.values.Milestone)]));
  const rows = state.invoices
    .map((i) => {
      const open = i.status === 'open';
      const actions = [
        open ? `<button data-invoice="${i.id}" data-do="pay">Pay</button>` : '',
        open && i.amountRemaining > 1 ? `<button data-invoice="${i.id}" data-do="pay-half">Pay half</button>` : '',
        open ? `<button data-invoice="${i.id}" data-do="fail">Payment fails</button>` : '',
        i.amountPaid > 0 && !i.disputed ? `<button data-invoice="${i.id}" data-do="dispute">Dispute</button>` : '',
      ].join(' ');
      return `<tr data-invoice-row="${escapeHtml(i.id)}"><td>${escapeHtml(i.number ?? 'draft')}</td><td>${escapeHtml(titles.get(i.milestoneId ?? '') ?? '')}</td><td>${escapeHtml(i.customer)}</td>
      <td class="status ${escapeHtml(i.status)}">${escapeHtml(i.status)}${i.disputed ? ' · disputed' : ''}</td><td>${money(i.total, i.currency)}</td><td>${money(i.amountPaid, i.currency)}</td>
      <td>${i.hostedUrl ? `<a href="${escapeHtml(i.hostedUrl)}" target="_blank" rel="noopener">payment page</a>` : ''}</td><td>${i.sends}</td><td>${actions}</td></tr>`;
    })
    .join('');
  return `<table><thead><tr><th>Number</th><th>Milestone</th><th>Customer</th><th>Status</th><th>Total</th><th>Paid</th><th>Link</th><th>Emailed</th><th>Simulate</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function render(state: State): void {
  current = state;
  $<HTMLTimeElement>('#clock').textContent =
    `${new Date(state.clock.now).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short' })}${ahead(state.clock.offsetMs)}`;
  const before = $<HTMLElement>('#messages').children.length;
  draw('#messages', messagesHtml(state));
  // A new message arrives at the bottom, as in Slack: bring it into view.
  const panel = $<HTMLElement>('#messages');
  if (panel.children.length > before && before > 0) panel.lastElementChild?.scrollIntoView({ block: 'end', behavior: 'smooth' });
  draw('#ledger', ledgerHtml(state));
  draw('#invoices', invoicesHtml(state));
  draw('#clients', clientsHtml(state));
  draw('#add-client', state.ledger.clients.map((c) => `<option value="${escapeHtml(c.id)}">${escapeHtml(text(c.values.Client))}</option>`).join(''));
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

document.addEventListener('click', (event) => {
  const target = event.target instanceof Element ? event.target : null;
  const action = target?.closest<HTMLButtonElement>('button[data-action]');
  if (action) {
    action.disabled = true;
    void api('POST', '/api/click', { ts: action.dataset.ts, actionId: action.dataset.action }).then(afterAction);
    return;
  }
  const clock = target?.closest<HTMLButtonElement>('button[data-clock]');
  if (clock) return void api('POST', '/api/clock', { by: clock.dataset.clock }).then(afterAction);
  const invoice = target?.closest<HTMLButtonElement>('button[data-invoice]');
  if (invoice) {
    const id = invoice.dataset.invoice ?? '';
    const found = current?.invoices.find((i) => i.id === id);
    const todo = invoice.dataset.do;
    const path = todo === 'pay-half' ? 'pay' : (todo ?? '');
    const body = todo === 'pay-half' && found ? { amount: Math.floor(found.amountRemaining / 2) } : {};
    return void api('POST', `/api/invoices/${id}/${path}`, body).then(afterAction);
  }
  const close = target?.closest<HTMLButtonElement>('button[data-close]');
  if (close) return void api('POST', `/api/views/${close.dataset.close ?? ''}/close`, {}).then(afterAction);
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

document.addEventListener('submit', (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement)) return;
  event.preventDefault();
  const data = Object.fromEntries(new FormData(form).entries());
  if (form.id === 'command') {
    void api('POST', '/api/command', { text: data.text ?? '' }).then(afterAction);
    form.reset();
  } else if (form.id === 'add-milestone') {
    void api('POST', '/api/milestones', { title: data.title, clientId: data.clientId, amount: data.amount ? Number(data.amount) : null }).then(afterAction);
    form.reset();
  } else if (form.dataset.view) {
    void api('POST', `/api/views/${form.dataset.view}`, { values: data }).then((res) => {
      const answer = res.answer as { response_action?: string; errors?: Record<string, string> } | null;
      if (answer?.response_action === 'errors') {
        for (const [field, message] of Object.entries(answer.errors ?? {})) {
          const slot = form.querySelector(`[data-error-for="${CSS.escape(field)}"]`);
          if (slot) slot.textContent = message;
        }
        return;
      }
      (document.activeElement as HTMLElement | null)?.blur();
      return afterAction();
    });
  }
});

void refresh();
window.setInterval(() => void refresh(), 1000);
