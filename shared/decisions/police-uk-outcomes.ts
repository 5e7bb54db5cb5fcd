/**
 * data.police.uk publishes outcome categories, not Home Office outcome codes. This table says
 * which categories are an NFA or a filing decision, who made it, and the codes each category
 * gathers (from the Home Office outcomes framework as police.uk groups it). Categories that are
 * not a finalised NFA or filing decision (charges, cautions, court results, "under
 * investigation") are typed `other` and so never enter an NFA population. Documented in
 * docs/import-formats.md; an unknown category is kept, flagged and typed `other`.
 */
import type { DecidingBody, DecisionType } from './outcome-codes.ts';

export interface PoliceUkOutcome {
  readonly decisionType: DecisionType;
  readonly decidingBody: DecidingBody;
  /** The Home Office outcome codes the category gathers. */
  readonly outcomeCodes: readonly string[];
}

const nfa = (decidingBody: DecidingBody, ...outcomeCodes: string[]): PoliceUkOutcome => ({
  decisionType: decidingBody === 'cps' ? 'cps_nfa' : 'police_nfa',
  decidingBody,
  outcomeCodes,
});
const filed = (...outcomeCodes: string[]): PoliceUkOutcome => ({
  decisionType: 'filed',
  decidingBody: 'police',
  outcomeCodes,
});
const other = (...outcomeCodes: string[]): PoliceUkOutcome => ({
  decisionType: 'other',
  decidingBody: 'police',
  outcomeCodes,
});

export const POLICE_UK_OUTCOMES: Readonly<Record<string, PoliceUkOutcome>> = {
  'Investigation complete; no suspect identified': filed('18'),
  'Unable to prosecute suspect': nfa('police', '14', '15', '16'),
  'Formal action is not in the public interest': nfa('police', '10'),
  'Further investigation is not in the public interest': nfa('police', '21'),
  'Further action is not in the public interest': nfa('cps', '9'),
  'Action to be taken by another organisation': filed('20'),
  'Suspect charged as part of another case': other('4'),
  'Local resolution': other('8'),
  'Offender given a caution': other('2', '3'),
  'Offender given a drugs possession warning': other('7'),
  'Offender given penalty notice': other('6'),
  'Under investigation': other('0'),
  'Status update unavailable': other(),
  'Awaiting court outcome': other('1'),
  'Court result unavailable': other('1'),
  'Court case unable to proceed': other('1'),
  'Defendant found not guilty': other('1'),
  'Defendant sent to Crown Court': other('1'),
  'Offender sent to prison': other('1'),
  'Offender given suspended prison sentence': other('1'),
  'Offender given community sentence': other('1'),
  'Offender fined': other('1'),
  'Offender given a conditional discharge': other('1'),
  'Offender given absolute discharge': other('1'),
  'Offender deprived of property': other('1'),
  'Offender ordered to pay compensation': other('1'),
  'Offender otherwise dealt with': other('1'),
  'Suspect charged': other('1'),
};

export interface PoliceUkClassification extends PoliceUkOutcome {
  /** True when the category is not in the table (kept as published, never rejected). */
  readonly unknownCategory: boolean;
}

/** An empty category (no outcome published yet) is "under investigation". */
export function classifyPoliceUkOutcome(category: string): PoliceUkClassification {
  const known = POLICE_UK_OUTCOMES[category.trim() === '' ? 'Under investigation' : category.trim()];
  return known ? { ...known, unknownCategory: false } : { ...other(), unknownCategory: true };
}
