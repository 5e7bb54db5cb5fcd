/**
 * Reviewers as an admin saves them. The ids an admin types are the force's own (a collar number, a
 * staff number such as DM-9), while decisions hold them pseudonymised at import; so every person id
 * is pseudonymised on save with the same key, and matches. Standing conflicts are read as:
 *
 * - `person:<id>`, or a bare id with a digit and no space (DM-9, 4471): a person, stored `psn_…`;
 * - `unit:<name>`, or any other bare entry (PPU North): a unit, stored `unit:<name>`;
 * - `decision:<dec_…>`, or a bare `dec_…`: a decision, stored `dec_…`;
 * - a bare `psn_…`: a person already pseudonymised (as the API returns it), kept.
 *
 * The saved record shows how each entry was read, so an admin can see a unit taken for a person
 * and say `unit:` instead.
 */
import { pseudonym, pseudonymKey } from '../imports/pseudonymise.ts';
import type { Reviewer } from './panel.ts';
import { saveReviewer } from './panel-store.ts';

const personId = (key: string, id: string) => (id.startsWith('psn_') ? id : pseudonym(key, 'person', id));

/** One standing conflict in its stored form. */
export function storedConflict(key: string, entry: string): string {
  const text = entry.trim();
  const [prefix, ...rest] = text.split(':');
  const value = rest.join(':').trim();
  if (rest.length > 0 && prefix === 'person') return personId(key, value);
  if (rest.length > 0 && prefix === 'unit') return `unit:${value}`;
  if (rest.length > 0 && prefix === 'decision') return value;
  if (text.startsWith('psn_') || text.startsWith('dec_') || text.startsWith('unit:')) return text;
  return /\d/.test(text) && !/\s/.test(text) ? personId(key, text) : `unit:${text}`;
}

/** The reviewer with their person id and conflicts in stored form, saved. */
export async function putReviewer(reviewer: Reviewer): Promise<Reviewer> {
  const key = await pseudonymKey();
  const stored: Reviewer = {
    ...reviewer,
    ...(reviewer.personId ? { personId: personId(key, reviewer.personId.trim()) } : {}),
    standingConflicts: [...new Set(reviewer.standingConflicts.map((entry) => storedConflict(key, entry)))],
  };
  await saveReviewer(stored);
  return stored;
}
