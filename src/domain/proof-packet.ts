/**
 * The proof packet that travels with every invoice: what was agreed, what was delivered, what it
 * changed and what comes next. Invoices with context get disputed less.
 */
import type { Milestone } from './milestone.js';
import { truncate, wellFormed } from './text.js';

export type ProofPacket = {
  readonly recap: string;
  readonly evidence: string;
  readonly outcome: string;
  readonly nextCheckpoint: string;
};

const NOT_GIVEN = 'Not recorded yet.';

export function buildProofPacket(milestone: Milestone): ProofPacket {
  const scope = milestone.scopeVersion ? ` under scope ${milestone.scopeVersion}` : '';
  const project = milestone.project ? ` (project ${milestone.project})` : '';
  const acceptance = milestone.accepted ? ` Accepted by the client on ${milestone.accepted.slice(0, 10)}.` : '';
  return {
    recap: `${milestone.title.trim() || 'Untitled milestone'}${project}, delivered${scope}.${acceptance}`,
    evidence: milestone.deliveryEvidence.trim() || NOT_GIVEN,
    outcome: milestone.outcome.trim() || NOT_GIVEN,
    nextCheckpoint: milestone.nextCheckpoint.trim() || NOT_GIVEN,
  };
}

/**
 * Stripe takes a 1,500-character memo; Cashin keeps the line and footer to 500 so the invoice reads well.
 * Text is made well-formed first: a lone surrogate would make the SDK throw before sending.
 */
export const STRIPE_LIMITS = { lineDescription: 500, description: 1500, footer: 500 } as const;

export type StripeProofText = { readonly description: string; readonly footer: string; readonly lineDescription: string };

export function proofPacketForStripe(packet: ProofPacket, milestone: Milestone, acceptanceLink: string | null): StripeProofText {
  const cut = (text: string, max: number) => truncate(wellFormed(text), max);
  // The client reads this: a section with nothing recorded is left out, not shown as missing.
  const given = (text: string) => text !== NOT_GIVEN;
  const sections = [
    `Milestone: ${cut(packet.recap, 400)}`,
    given(packet.evidence) ? `Delivery evidence: ${cut(packet.evidence, 500)}` : '',
    given(packet.outcome) ? `Outcome: ${cut(packet.outcome, 300)}` : '',
    acceptanceLink ? `Acceptance: ${cut(acceptanceLink, 200)}` : '',
  ].filter((s) => s !== '');
  return {
    description: cut(sections.join('\n'), STRIPE_LIMITS.description),
    footer: given(packet.nextCheckpoint) ? cut(`Next checkpoint: ${packet.nextCheckpoint}`, STRIPE_LIMITS.footer) : '',
    lineDescription: cut(milestone.title.trim() || 'Milestone', STRIPE_LIMITS.lineDescription),
  };
}
