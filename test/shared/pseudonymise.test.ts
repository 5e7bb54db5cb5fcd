import { describe, expect, it } from 'vitest';
import { pseudonym, pseudonymiseRecord } from '../../shared/imports/pseudonymise.ts';

const key = 'k'.repeat(64);

describe('pseudonymisation', () => {
  it('maps the same person to the same pseudonym, whichever field and however written', () => {
    expect(pseudonym(key, 'person', 'DM-0007')).toBe(pseudonym(key, 'person', ' dm-0007 '));
    const record = pseudonymiseRecord(
      {
        source: 'force-export',
        crimeReference: 'SYN/1/25',
        offenceGroup: 'rape',
        decidingBody: 'police',
        decisionDate: '2025-01-01',
        decisionDatePrecision: 'day',
        decisionMakerId: 'DM-0007',
        officerInCaseId: 'DM-0007',
      },
      key,
    );
    expect(record.decisionMakerId).toBe(record.officerInCaseId);
    expect(record.decisionMakerId).toMatch(/^psn_[0-9a-z]{20}$/);
    expect(record.crimeReference).toMatch(/^crm_[0-9a-z]{20}$/);
  });

  it('depends on the key, and keeps crimes and people apart', () => {
    expect(pseudonym(key, 'person', 'X')).not.toBe(pseudonym('j'.repeat(64), 'person', 'X'));
    expect(pseudonym(key, 'person', 'X').slice(4)).not.toBe(pseudonym(key, 'crime', 'X').slice(4));
  });
});
