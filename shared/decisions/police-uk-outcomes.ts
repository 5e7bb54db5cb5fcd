/**
 * data.police.uk publishes outcome categories, not Home Office outcome codes. This table says
 * which categories are an NFA or a filing decision, who made it, and the codes each category
 * gathers (from the Home Office outcomes framework as police.uk groups it). Categories that are
 * not a finalised NFA or filing decision (charges, cautions, court results, "under
 * investigation") are typed `other` and so never enter an NFA population. Each category also
 * has a stage, how far through a case it stands, which orders the outcomes one month publishes for
 * a crime. Documented in docs/import-formats.md; an unknown category is kept, flagged and typed
 * `other`.
 */
import type { DecidingBody, DecisionType } from './outcome-codes.ts';

/**
 * How far through a case an outcome category stands, earliest first: the investigation still
 * open (or nothing said), a category this table does not know, the investigation ended (no further
 * action, filed, an out-of-court disposal or a charge), the case at court, and a court result.
 * Within one month, a crime's later stage wins (see `outcomeRank`).
 */
export const OUTCOME_STAGES = ['open', 'unknown', 'ended', 'at court', 'court result'] as const;
export type OutcomeStage = (typeof OUTCOME_STAGES)[number];

export interface PoliceUkOutcome {
  readonly decisionType: DecisionType;
  readonly decidingBody: DecidingBody;
  readonly stage: OutcomeStage;
  /** The Home Office outcome codes the category gathers. */
  readonly outcomeCodes: readonly string[];
}

const nfa = (decidingBody: DecidingBody, ...outcomeCodes: string[]): PoliceUkOutcome => ({
  decisionType: decidingBody === 'cps' ? 'cps_nfa' : 'police_nfa',
  decidingBody,
  stage: 'ended',
  outcomeCodes,
});
const filed = (...outcomeCodes: string[]): PoliceUkOutcome => ({
  decisionType: 'filed',
  decidingBody: 'police',
  stage: 'ended',
  outcomeCodes,
});
const other = (stage: OutcomeStage, ...outcomeCodes: string[]): PoliceUkOutcome => ({
  decisionType: 'other',
  decidingBody: 'police',
  stage,
  outcomeCodes,
});

export const POLICE_UK_OUTCOMES: Readonly<Record<string, PoliceUkOutcome>> = {
  'Investigation complete; no suspect identified': filed('18'),
  'Unable to prosecute suspect': nfa('police', '14', '15', '16'),
  'Formal action is not in the public interest': nfa('police', '10'),
  'Further investigation is not in the public interest': nfa('police', '21'),
  'Further action is not in the public interest': nfa('cps', '9'),
  'Action to be taken by another organisation': filed('20'),
  'Suspect charged as part of another case': other('ended', '4'),
  'Local resolution': other('ended', '8'),
  'Offender given a caution': other('ended', '2', '3'),
  'Offender given a drugs possession warning': other('ended', '7'),
  'Offender given penalty notice': other('ended', '6'),
  'Suspect charged': other('ended', '1'),
  'Under investigation': other('open', '0'),
  'Status update unavailable': other('open'),
  'Awaiting court outcome': other('at court', '1'),
  'Court result unavailable': other('at court', '1'),
  'Defendant sent to Crown Court': other('at court', '1'),
  'Court case unable to proceed': other('court result', '1'),
  'Defendant found not guilty': other('court result', '1'),
  'Offender sent to prison': other('court result', '1'),
  'Offender given suspended prison sentence': other('court result', '1'),
  'Offender given community sentence': other('court result', '1'),
  'Offender fined': other('court result', '1'),
  'Offender given a conditional discharge': other('court result', '1'),
  'Offender given absolute discharge': other('court result', '1'),
  'Offender deprived of property': other('court result', '1'),
  'Offender ordered to pay compensation': other('court result', '1'),
  'Offender otherwise dealt with': other('court result', '1'),
};

export interface PoliceUkClassification extends PoliceUkOutcome {
  /** True when the category is not in the table (kept as published, never rejected). */
  readonly unknownCategory: boolean;
}

/** An empty category (no outcome published yet) is "under investigation". */
export function classifyPoliceUkOutcome(category: string): PoliceUkClassification {
  const known = POLICE_UK_OUTCOMES[category.trim() === '' ? 'Under investigation' : category.trim()];
  return known ? { ...known, unknownCategory: false } : { ...other('unknown'), unknownCategory: true };
}

/** One outcome published for a crime: the street file's last outcome category, or an outcomes row. */
export interface PoliceUkOutcomeObservation {
  readonly category: string;
  /** YYYY-MM: the street file's month, or the outcomes row's. */
  readonly month: string;
  readonly file: 'street' | 'outcomes';
}

/**
 * Where an outcome stands among the outcomes published for its crime; the greatest is the
 * decision's outcome, whatever order the files and their rows arrive in. By month; within a month
 * by stage (OUTCOME_STAGES); then the outcomes file over the street file's last category; then by
 * category text in code-point order. Spelled so that comparing two ranks byte by byte (as a
 * DynamoDB condition does) orders them the same way.
 */
export function outcomeRank(observation: PoliceUkOutcomeObservation): string {
  const stage = OUTCOME_STAGES.indexOf(classifyPoliceUkOutcome(observation.category).stage);
  const file = observation.file === 'outcomes' ? 1 : 0;
  return `${observation.month} ${stage} ${file} ${observation.category.trim()}`;
}

/** A police.uk outcome as it is recorded on its crime's decision. */
export interface RecordedOutcome {
  readonly outcomeCategory: string;
  readonly outcomeMonth: string;
  readonly decisionType: DecisionType;
  readonly decidingBody: DecidingBody;
  readonly localOutcomeVariant: boolean;
  /** Its `outcomeRank`: a recorded outcome is replaced only by a greater one. */
  readonly outcomeRank: string;
}

export function recordedOutcome(observation: PoliceUkOutcomeObservation): RecordedOutcome {
  const classified = classifyPoliceUkOutcome(observation.category);
  return {
    outcomeCategory: observation.category,
    outcomeMonth: observation.month,
    decisionType: classified.decisionType,
    decidingBody: classified.decidingBody,
    localOutcomeVariant: classified.unknownCategory,
    outcomeRank: outcomeRank(observation),
  };
}
