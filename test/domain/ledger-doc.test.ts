import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderLedgerDoc } from '../../scripts/ledger-doc.js';
import { MILESTONE_PROPERTIES } from '../../src/ledger/contract.js';

describe('docs/ledger.md', () => {
  it('is what the ledger contract in the code says (npm run docs:ledger writes it)', () => {
    expect(readFileSync(new URL('../../docs/ledger.md', import.meta.url), 'utf8')).toBe(renderLedgerDoc());
  });

  it('lists every property with its type and owner', () => {
    const doc = renderLedgerDoc();
    for (const name of Object.keys(MILESTONE_PROPERTIES)) expect(doc).toMatch(new RegExp(`^\\| ${name} \\| [^|]+ \\| (founder|bot|founder/bot) \\|`, 'm'));
  });
});
