/**
 * What /api/state answers, as the console's script reads it, and the small formatting helpers the
 * panels share.
 */
export type Values = Record<string, unknown>;
export type Row = { id: string; values: Values };
export type View = { id: string; view: Record<string, unknown> };
export type Message = {
  ts: string;
  text: string;
  blocks: unknown[];
  edited: boolean;
  /** A thread reply also sent to the channel (reply_broadcast). */
  broadcast: boolean;
  /** When it was posted, on the bot's clock. */
  at: string;
  /** Files shared with the message (files.uploadV2); their bytes are at /api/files/:id. */
  files: SharedFile[];
};
export type SharedFile = { id: string; title: string; name: string; type: string; size: number; width?: number; height?: number };
/** The App Home view Cashin last published for the founder, and when, on the bot's clock. */
export type Home = { blocks: unknown[]; hash: string; at: string | null };
export type Ephemeral = { n: number; text: string; blocks: unknown[] };
export type Invoice = {
  id: string;
  number: string | null;
  status: string;
  currency: string;
  total: number;
  amountPaid: number;
  amountRemaining: number;
  credited: number;
  hostedUrl: string | null;
  customer: string;
  milestoneId: string | null;
  disputed: boolean;
  cardPaid: boolean;
  failedAttempts: number;
  sends: number;
};
export type State = {
  founder: string;
  clock: { now: string; offsetMs: number };
  channel: { messages: (Message & { replies: Message[] })[]; ephemerals: Ephemeral[]; views: View[]; home: Home | null };
  ledger: {
    milestones: Row[];
    clients: Row[];
    editable: Record<string, string | null>;
    clientEditable: Record<string, string | null>;
    options: Record<string, string[]>;
  };
  invoices: Invoice[];
};

export const text = (v: unknown): string => (v === null || v === undefined ? '' : String(v));

export function money(minor: number, currency: string): string {
  const code = currency.toUpperCase();
  const format = new Intl.NumberFormat('en-US', { style: 'currency', currency: code });
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  return format.format(minor / 10 ** digits);
}

/** The ts of a milestone's card, from its "Slack card" column (channel/ts). */
export function cardTsOf(row: Row | undefined): string | null {
  const ts = text(row?.values['Slack card']).split('/')[1];
  return ts || null;
}
