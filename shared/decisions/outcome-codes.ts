/**
 * Home Office crime outcome types. The raw code is always stored; whether a decision counts as a
 * police NFA, a CPS NFA or a filing decision is derived here, in one place.
 */

export const HOME_OFFICE_OUTCOMES: Readonly<Record<string, string>> = {
  '0': 'No outcome yet (not a finalised decision)',
  '1': 'Charged or summonsed',
  '2': 'Youth caution',
  '3': 'Adult caution',
  '4': 'Taken into consideration',
  '5': 'Offender died',
  '6': 'Penalty notice for disorder',
  '7': 'Cannabis or khat warning',
  '8': 'Community resolution',
  '9': 'Prosecution not in the public interest (CPS)',
  '10': 'Formal action not in the public interest (police)',
  '11': 'Prosecution prevented: suspect under age',
  '12': 'Prosecution prevented: suspect too ill',
  '13': 'Prosecution prevented: victim or key witness dead or too ill',
  '14': 'Evidential difficulties: suspect not identified, victim does not support action',
  '15': 'Evidential difficulties: suspect identified, victim supports action',
  '16': 'Evidential difficulties: suspect identified, victim does not support action',
  '17': 'Prosecution time limit expired',
  '18': 'Investigation complete: no suspect identified',
  '19': 'National fraud bureau',
  '20': 'Another body responsible',
  '21': 'Further investigation not in the public interest (police)',
  '22': 'Diversionary, educational or intervention activity',
};

export type DecidingBody = 'police' | 'cps';

/** What kind of decision an outcome is, for sampling and eligibility. */
export type DecisionType = 'police_nfa' | 'cps_nfa' | 'filed' | 'other';

export interface OutcomeClassification {
  /** The national code the raw value maps to, or undefined for a local code with no mapping. */
  readonly nationalCode: string | undefined;
  /** True for local variants (1A, 3A, local numbers) that are kept as recorded. */
  readonly localVariant: boolean;
  readonly decisionType: DecisionType;
}

const POLICE_NFA = new Set(['10', '14', '15', '16', '21']);
const CPS_NFA = new Set(['9', '15', '16']);
/** Filed: the investigation is closed pending further information and can be reopened. */
const FILED = new Set(['18', '20']);

/**
 * The Home Office code a raw code stands for: itself, or the number of a local variant (`16A` is
 * 16, `1A` is 1); undefined for a code with no national meaning. Everything that reads an
 * outcome code by its meaning (the decision type here, the question set's rules) goes by this.
 */
export function nationalOutcomeCode(rawCode: string): string | undefined {
  const prefix = /^(\d{1,2})[A-Z]?$/.exec(rawCode.trim().toUpperCase())?.[1];
  const national = prefix !== undefined ? String(Number(prefix)) : undefined;
  return national !== undefined && national in HOME_OFFICE_OUTCOMES ? national : undefined;
}

/**
 * Classifies a raw outcome code as recorded by the force.
 *
 * - Outcomes 15 and 16 are NFA by whichever body decided: CPS when the CPS made the charging
 *   decision, otherwise police. Outcome 9 is always CPS; 10, 14 and 21 are always police.
 * - 18 (no suspect identified) and 20 (another body responsible) close the investigation and are
 *   treated as filing decisions.
 * - Local variants such as "3A" keep their prefix's meaning and are flagged; anything else
 *   unknown is "other" and flagged, never rejected.
 */
export function classifyOutcome(rawCode: string, decidingBody: DecidingBody): OutcomeClassification {
  const code = rawCode.trim().toUpperCase();
  const nationalCode = nationalOutcomeCode(code);
  const localVariant = nationalCode !== code;
  let decisionType: DecisionType = 'other';
  if (nationalCode !== undefined) {
    if (decidingBody === 'cps' && CPS_NFA.has(nationalCode)) decisionType = 'cps_nfa';
    else if (nationalCode === '9') decisionType = 'cps_nfa';
    else if (POLICE_NFA.has(nationalCode)) decisionType = 'police_nfa';
    else if (FILED.has(nationalCode)) decisionType = 'filed';
  }
  return { nationalCode, localVariant, decisionType };
}
