/**
 * The proof packet that travels with every invoice: what was agreed, what was delivered, what it
 * changed and what comes next. Invoices with context get disputed less.
 */
import type { Milestone } from './milestone.js';
import { truncate } from './text.js';

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
  const acceptance = milestone.accepted
    ? ` Accepted by the client on ${milestone.accepted.slice(0, 10)}.`
    : '';
  return {
    recap: `${milestone.title.trim() || 'Untitled milestone'}${project}, delivered${scope}.${acceptance}`,
    evidence: milestone.deliveryEvidence.trim() || NOT_GIVEN,
    outcome: milestone.outcome.trim() || NOT_GIVEN,
    nextCheckpoint: milestone.nextCheckpoint.trim() || NOT_GIVEN,
  };
}

/** Stripe keeps line descriptions to 500 characters; the invoice memo and footer are kept short too. */
export const STRIPE_LIMITS = { lineDescription: 500, description: 1500, footer: 500 } as const;

export type StripeProofText = { readonly description: string; readonly footer: string; readonly lineDescription: string };

export function proofPacketForStripe(packet: ProofPacket, milestone: Milestone, acceptanceLink: string | null): StripeProofText {
  const sections = [
    `Milestone: ${truncate(packet.recap, 400)}`,
    `Delivery evidence: ${truncate(packet.evidence, 500)}`,
    `Outcome: ${truncate(packet.outcome, 300)}`,
    acceptanceLink ? `Acceptance: ${truncate(acceptanceLink, 200)}` : '',
  ].filter((s) => s !== '');
  return {
    description: truncate(sections.join('\n'), STRIPE_LIMITS.description),
    footer: truncate(`Next checkpoint: ${packet.nextCheckpoint}`, STRIPE_LIMITS.footer),
    lineDescription: truncate(milestone.title.trim() || 'Milestone', STRIPE_LIMITS.lineDescription),
  };
}
