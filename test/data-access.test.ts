/**
 * The data-access layer's one rule that a reader cannot check at a glance: every key of the main
 * and audit tables is spelled in the store module of its aggregate, and nowhere else. The domain,
 * the handlers, the workflows and the local runtime take keys from those modules' builders.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..');

/** Each key prefix, and the one module that may spell it. */
const OWNER: Record<string, string> = {
  DECISION: 'shared/decisions/decision-store.ts',
  DECISIONS: 'shared/data/keys.ts',
  /** The values a corrected re-export replaced, kept in the decision's partition. */
  REVISION: 'shared/decisions/decision-revisions.ts',
  /** The sealed original crime reference behind a pseudonym. */
  REIDENT: 'shared/decisions/reidentification.ts',
  IMPORT: 'shared/imports/import-store.ts',
  SAMPLE: 'shared/sampling/sample-store.ts',
  SAMPLEDRAW: 'shared/sampling/sample-store.ts',
  REVIEWER: 'shared/panels/panel-store.ts',
  PANEL: 'shared/panels/panel-store.ts',
  SITTING: 'shared/panels/panel-store.ts',
  SUBJECT: 'shared/panels/panel-store.ts',
  /** The people who have signed in, as their token described them. */
  PERSON: 'shared/people/people.ts',
  CASE: 'shared/cases/case-store.ts',
  OPENCASE: 'shared/cases/case-store.ts',
  /** A case's history is written with the assignments that make most of it. */
  HISTORY: 'shared/routing/assignment-store.ts',
  NOMINATION: 'shared/nominations/nomination-store.ts',
  NOMINATIONS: 'shared/nominations/nomination-store.ts',
  /** The versions a nominator changed since, kept in the nomination's partition. */
  VERSION: 'shared/nominations/nomination-store.ts',
  ASSIGNMENT: 'shared/routing/assignment-store.ts',
  ASSIGNMENTS: 'shared/routing/assignment-store.ts',
  LOAD: 'shared/routing/assignment-store.ts',
  FINDING: 'shared/review/finding-store.ts',
  MODERATION: 'shared/review/finding-store.ts',
  PACK: 'shared/evidence/packs.ts',
  NOTIFICATION: 'shared/notifications/notifications.ts',
  NOTIFICATIONS: 'shared/notifications/notifications.ts',
  RECOMMENDATION: 'shared/recommendations/recommendations.ts',
  RECORD: 'shared/audit/audit-event.ts',
  ACTOR: 'shared/audit/audit-event.ts',
  /** The import benchmark's own floor items, written beside the decisions to compare with. */
  FLOOR: 'bench/import-throughput.ts',
};

const SOURCE_FOLDERS = ['shared', 'functions', 'workflows', 'infra', 'local', 'cli', 'bench'];

function sourceFiles(folder: string): string[] {
  return readdirSync(path.join(root, folder), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)));
}

/** Key prefixes spelled in a file's code (not its comments): a string that starts with `UPPER#`. */
function spelledPrefixes(file: string): string[] {
  const text = readFileSync(path.join(root, file), 'utf8')
    .split('\n')
    .filter((line) => !/^\s*(\*|\/\*|\/\/)/.test(line))
    .join('\n');
  return [...text.matchAll(/['"`]([A-Z][A-Z_]{2,})#/g)].map((match) => match[1] as string);
}

describe('the data-access layer', () => {
  const files = SOURCE_FOLDERS.flatMap(sourceFiles);

  it('finds the source it checks', () => {
    expect(files).toContain('shared/cases/case-store.ts');
    expect(files.length).toBeGreaterThan(100);
  });

  it('spells every table key in its aggregate’s store module only', () => {
    const misplaced = files.flatMap((file) =>
      spelledPrefixes(file)
        .filter((prefix) => OWNER[prefix] !== file)
        .map((prefix) => `${file} spells ${prefix}# (${OWNER[prefix] ?? 'no module owns this prefix'})`),
    );
    expect(misplaced).toEqual([]);
  });

  it('has an owner module that really spells each prefix it is given', () => {
    for (const [prefix, owner] of Object.entries(OWNER)) {
      expect(spelledPrefixes(owner), `${owner} should build ${prefix}# keys`).toContain(prefix);
    }
  });
});
