/**
 * The dates an import accepts for a decision: none after today (a decision not yet made) and none
 * before 1990 (older than any record the panel scrutinises; most often a mistyped year). Today is
 * the day in the UK, where the decisions are made, not in UTC.
 */

export const EARLIEST_DECISION_DATE = '1990-01-01';

/** Today in the UK, as YYYY-MM-DD. */
export function ukToday(now = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London' }).format(now);
}

/** Why a day (YYYY-MM-DD) cannot be a decision's date, or undefined when it can. */
export function decisionDateProblem(date: string, today: string): string | undefined {
  if (date > today) return `is after today (${today}): a decision cannot be dated in the future`;
  if (date < EARLIEST_DECISION_DATE) return 'is before 1990: is the year right?';
  return undefined;
}

/** Why a month (YYYY-MM) cannot be a decision's or an outcome's, or undefined when it can. */
export function decisionMonthProblem(month: string, today: string): string | undefined {
  const current = today.slice(0, 7);
  if (month > current) return `is after the current month (${current}): it cannot have been published yet`;
  if (month < EARLIEST_DECISION_DATE.slice(0, 7)) return 'is before 1990: is the year right?';
  return undefined;
}
