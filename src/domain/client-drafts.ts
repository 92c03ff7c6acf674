/** Notes for the founder to send the client, ready to copy. Plain text: they go into an email or a chat. */
import type { Client, Milestone } from './milestone.js';

/** "Hi Dana," when the client names a billing owner, "Hi Acme team," otherwise. */
export function greeting(client: Client | null): string {
  const owner = client?.billingOwner.replace(/\s*\(.*\)\s*$/, '').trim() ?? '';
  if (owner) return `Hi ${owner.split(/\s+/)[0] ?? owner},`;
  return client ? `Hi ${client.name} team,` : 'Hi,';
}

/** The note asking the client to confirm acceptance within 24 hours. */
export function acceptanceRequest(milestone: Milestone, client: Client | null): string {
  return [
    greeting(client),
    '',
    `"${milestone.title.trim() || 'The milestone'}" is delivered. You can review it here: ${milestone.deliveryEvidence.trim() || '(add the delivery link)'}`,
    '',
    'Could you confirm within 24 hours that it is accepted, or tell us what still needs to change? A short reply to this message is enough: it lets us close the milestone and start the next one.',
    '',
    'Thank you!',
  ].join('\n');
}
