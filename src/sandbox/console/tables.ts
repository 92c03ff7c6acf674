/**
 * The right-hand panels: the Notion Milestones and Clients tables (founder columns editable,
 * Cashin's own shown as it writes them) and the Stripe invoices with buttons that play the client
 * and the bank.
 */
import { escapeHtml } from './block-kit.js';
import { cardTsOf, money, text, type Invoice, type Row, type State } from './model.js';

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
const HEADINGS: Readonly<Record<string, string>> = { 'Change order required': 'Change order', 'Acceptance evidence': 'Evidence' };

/** Cashin's invoice columns: status and number, then where collection stands (reminders, an exception, a promise, credit). */
function invoiceCell(row: Row): string {
  const v = row.values;
  if (!v['Invoice status']) return '';
  const line = (prop: string, cls = '') =>
    text(v[prop]) && v[prop] !== 0 ? `<div class="collect${cls}"><span>${escapeHtml(prop)}:</span> ${escapeHtml(text(v[prop]).slice(0, 60))}</div>` : '';
  return `<span class="status ${escapeHtml(text(v['Invoice status']))}">${escapeHtml(text(v['Invoice status']))}</span> ${escapeHtml(text(v['Invoice number']))}${line('Reminder stage')}${line('Dispute reason', ' exception')}${line('Promise to pay')}${line('Amount credited')}`;
}

export function ledgerHtml(state: State): string {
  const details = Object.keys(state.ledger.editable).filter((p) => !MAIN_COLUMNS.includes(p));
  // Invoice and Paid sit right after Amount so they are in view without scrolling the table sideways.
  const [lead, rest] = [MAIN_COLUMNS.slice(1, 4), MAIN_COLUMNS.slice(4)];
  const rows = state.ledger.milestones
    .map((row) => {
      const v = row.values;
      const paid = v['Amount paid'] !== null && v['Amount paid'] !== undefined ? escapeHtml(text(v['Amount paid'])) : '';
      const more = `<details><summary>more</summary><div class="more">${details.map((p) => `<span>${escapeHtml(p)}</span>${cell(row, p, state)}`).join('')}</div></details>`;
      const blockers = text(v.Blockers) ? `<div class="blockers" title="${escapeHtml(text(v.Blockers))}">${escapeHtml(text(v.Blockers))}</div>` : '';
      const narrow = (props: string[]) => props.map((p) => `<td class="narrow">${cell(row, p, state)}</td>`).join('');
      return `<tr data-row="${escapeHtml(row.id)}">
      <td class="title">${cell(row, 'Milestone', state)}${blockers}</td>${narrow(lead)}
      <td class="invoice">${invoiceCell(row)}</td><td>${paid}</td>${narrow(rest)}<td>${more}</td></tr>`;
    })
    .join('');
  const th = (c: string) => `<th>${escapeHtml(HEADINGS[c] ?? c)}</th>`;
  return `<table><thead><tr>${th('Milestone')}${lead.map(th).join('')}<th>Invoice</th><th>Paid</th>${rest.map(th).join('')}<th></th></tr></thead><tbody>${rows}</tbody></table>`;
}

const CLIENT_COLUMNS = ['Client', 'Billing email', 'Currency', 'Payment terms', 'PO required', 'Tax rate', 'Reminder cadence', 'Review before send'];

export function clientsHtml(state: State): string {
  const rows = state.ledger.clients
    .map((row) => {
      const paused = row.values['Service paused'] === true ? '<div class="collect exception">Service paused</div>' : '';
      return `<tr data-client-row="${escapeHtml(row.id)}">${CLIENT_COLUMNS.map((p) => `<td class="${p === 'Client' ? 'title' : 'narrow'}">${cell(row, p, state, 'clients')}${p === 'Client' ? paused : ''}</td>`).join('')}<td class="meta">${escapeHtml(text(row.values['Stripe customer']))}</td></tr>`;
    })
    .join('');
  return `<table><thead><tr>${CLIENT_COLUMNS.map((c) => `<th>${escapeHtml(c)}</th>`).join('')}<th>Stripe customer</th></tr></thead><tbody>${rows}</tbody></table>`;
}

/** Percent of an invoice's total the "Credit note" button credits. */
export const CREDIT_PERCENT = 20;

function simulate(i: Invoice): string {
  const open = i.status === 'open';
  const b = (todo: string, label: string, title: string) =>
    `<button data-invoice="${escapeHtml(i.id)}" data-do="${todo}" title="${escapeHtml(title)}">${label}</button>`;
  return [
    open ? b('pay', 'Pay', 'The client pays what remains on the hosted page') : '',
    open && i.amountRemaining > 1 ? b('pay-half', 'Pay half', 'The client pays half of what remains') : '',
    open ? b('fail', 'Payment fails', "The client's card is declined: Cashin opens an exception") : '',
    open && i.amountRemaining > 1
      ? b('credit-note', `Credit note ${CREDIT_PERCENT} %`, `You issue a credit note in Stripe for ${CREDIT_PERCENT} % of the total: the client owes less`)
      : '',
    i.cardPaid && !i.disputed && i.status !== 'void' ? b('dispute', 'Dispute', "The client's bank disputes the card payment: Cashin opens an exception") : '',
  ].join(' ');
}

export function invoicesHtml(state: State): string {
  if (state.invoices.length === 0) return '<p class="meta">No invoices yet.</p>';
  const rowsById = new Map(state.ledger.milestones.map((m) => [m.id, m]));
  const rows = state.invoices
    .map((i) => {
      const row = rowsById.get(i.milestoneId ?? '');
      const reason = text(row?.values['Dispute reason']);
      const cardTs = cardTsOf(row);
      // Where a failed payment or a dispute leads: an exception in Notion and a reply under the card.
      const exception =
        reason && row?.values['Invoice ID'] === i.id
          ? `<div class="collect exception">Exception: ${escapeHtml(reason)}${cardTs ? ` · <button type="button" class="link" data-show-card="${escapeHtml(cardTs)}">see the thread in Slack</button>` : ''}</div>`
          : '';
      const notes = [i.disputed ? 'disputed' : '', i.failedAttempts > 0 ? `${i.failedAttempts} failed attempt${i.failedAttempts === 1 ? '' : 's'}` : ''].filter(
        Boolean,
      );
      const credited = i.credited > 0 ? `<div class="collect">credited ${money(i.credited, i.currency)}</div>` : '';
      return `<tr data-invoice-row="${escapeHtml(i.id)}"><td>${escapeHtml(i.number ?? 'draft')}</td><td>${escapeHtml(text(row?.values.Milestone))}</td><td>${escapeHtml(i.customer)}</td>
      <td class="status ${escapeHtml(i.status)}">${escapeHtml(i.status)}${notes.map((n) => ` · ${escapeHtml(n)}`).join('')}${exception}</td><td>${money(i.total, i.currency)}</td><td>${money(i.amountPaid, i.currency)}${credited}</td>
      <td>${i.hostedUrl ? `<a href="${escapeHtml(i.hostedUrl)}" target="_blank" rel="noopener">payment page</a>` : ''}</td><td>${i.sends}</td><td class="simulate">${simulate(i)}</td></tr>`;
    })
    .join('');
  return `<table><thead><tr><th>Number</th><th>Milestone</th><th>Customer</th><th>Status</th><th>Total</th><th>Paid</th><th>Link</th><th>Emailed</th><th>Simulate the client or bank</th></tr></thead><tbody>${rows}</tbody></table>`;
}
