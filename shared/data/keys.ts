/**
 * Keys of the main table (single-table design). Every record type has a deterministic key, so a
 * retried write lands on the same item instead of creating a second one.
 *
 * - `pk`/`sk`: the record itself.
 * - `gsi1pk`/`gsi1sk` (index `byKind`): lists of one kind of record, newest first.
 */
export const MAIN_TABLE_INDEXES = { byKind: 'byKind' } as const;

export const keys = {
  decision: (decisionId: string) => ({ pk: `DECISION#${decisionId}`, sk: 'DECISION' }),
  import: (importId: string) => ({ pk: `IMPORT#${importId}`, sk: 'IMPORT' }),
  reviewer: (reviewerId: string) => ({ pk: `REVIEWER#${reviewerId}`, sk: 'REVIEWER' }),
  panel: (panelId: string) => ({ pk: `PANEL#${panelId}`, sk: 'PANEL' }),
  sitting: (sittingId: string) => ({ pk: `SITTING#${sittingId}`, sk: 'SITTING' }),
} as const;

export const kinds = {
  decision: (decisionDate: string) => ({ gsi1pk: 'DECISION', gsi1sk: decisionDate }),
  import: (createdAt: string) => ({ gsi1pk: 'IMPORT', gsi1sk: createdAt }),
  reviewer: (name: string) => ({ gsi1pk: 'REVIEWER', gsi1sk: name }),
  panel: (name: string) => ({ gsi1pk: 'PANEL', gsi1sk: name }),
  sitting: (panelAndDate: string) => ({ gsi1pk: 'SITTING', gsi1sk: panelAndDate }),
} as const;
