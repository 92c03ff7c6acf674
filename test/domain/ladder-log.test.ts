/**
 * The ladder log kept with an invoice (the day each step was done, or that it was skipped) and the
 * ladder as the card shows it from there: done days, skipped steps, and the day a step to come
 * really goes out.
 */
import { describe, expect, it } from 'vitest';
import { ladderFactsOf, ladderView } from '../../src/domain/collection.js';
import { appendLadderLog, parseLadderLog } from '../../src/domain/ladder.js';
import { emptyCollectionMemo } from '../../src/domain/milestone.js';
import { aClient, aMilestone, anInvoice, policy } from '../support/records.js';

describe('the ladder log', () => {
  it('keeps a day for a step done and a mark for one skipped, the latest entry winning', () => {
    const log = appendLadderLog(null, [
      ['T+3 reminder', null],
      ['T+7 escalation', '2026-12-09'],
    ]);
    expect(log).toBe('T+3 reminder@-;T+7 escalation@2026-12-09');
    expect([...parseLadderLog(appendLadderLog(log, [['T+3 reminder', '2026-12-10']]))]).toEqual([
      ['T+7 escalation', '2026-12-09'],
      ['T+3 reminder', '2026-12-10'],
    ]);
  });

  it('stays within a Stripe metadata value, dropping the oldest entries', () => {
    let log: string | null = null;
    for (let i = 0; i < 40; i += 1) log = appendLadderLog(log, [[`A rather long step name number ${i}`, '2026-12-09']]);
    expect(log?.length).toBeLessThanOrEqual(450);
    expect(parseLadderLog(log ?? '').has('A rather long step name number 39')).toBe(true);
  });

  it('on the card: steps skipped after downtime are marked skipped; done steps show their day; the next its real day', () => {
    // Sent Wed 2 Dec; down until Wed 9 Dec, when T+7 was done and T+3 skipped.
    const m = aMilestone({
      reminderStage: 'T+7 escalation',
      invoice: { ...aMilestone().invoice, status: 'Sent', id: 'in_1', sent: '2026-12-02T11:00:00+01:00', due: '2026-12-16' },
    });
    const invoice = anInvoice({
      created: '2026-12-02T10:00:00Z',
      collection: { ...emptyCollectionMemo(), ladderLog: 'T+3 reminder@-;T+7 escalation@2026-12-09' },
    });
    const facts = ladderFactsOf(m, aClient(), invoice, policy.timeZone);
    if (!facts) throw new Error('no ladder');
    const view = ladderView(facts, aClient(), new Date('2026-12-09T12:00:00Z'), policy, null, invoice.collection.ladderLog);
    expect(view.steps.map((s) => [s.name, s.day, s.done, s.skipped, s.next])).toEqual([
      ['T+3 reminder', 'Sat 5 Dec', false, true, false],
      ['T+7 escalation', 'Wed 9 Dec', true, false, false],
      ['T+10 service risk', 'Sat 12 Dec', false, false, true],
      // T+14 falls on Wednesday 16 December, inside reminder hours from 11:00.
      ['T+14 overdue protocol', 'Wed 16 Dec', false, false, false],
    ]);
  });
});
