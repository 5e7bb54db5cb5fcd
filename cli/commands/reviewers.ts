/**
 * `scrutineer reviewers …`: bring the panel's reviewers in from a spreadsheet in bulk, and list
 * them. Each CSV row is one PUT, an upsert, so a file can be imported again after its bad rows are
 * fixed without harm to the rows that landed the first time.
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { CsvError, type Info, parse } from 'csv-parse/sync';
import { type ApiClient, ApiError, type FieldIssue } from '../api-client.ts';
import { connect, withSignInOptions } from '../config.ts';
import { type Cell, explainIssues, formatTable, result, status } from '../output.ts';

/** Only admins may change reviewers; panel chairs may list them too. */
const REVIEWERS_USER = 'admin';

const REQUIRED_COLUMNS = [
  'reviewer_id',
  'name',
  'agency',
  'capacity_per_sitting',
  'standing_conflicts',
  'active',
] as const;
const OPTIONAL_COLUMNS = ['unit', 'subject', 'person_id'] as const;
type Column = (typeof REQUIRED_COLUMNS)[number] | (typeof OPTIONAL_COLUMNS)[number];
const KNOWN_COLUMNS: readonly string[] = [...REQUIRED_COLUMNS, ...OPTIONAL_COLUMNS];

/** The API's names for the columns, to put its complaints about a row in the file's terms. */
const COLUMN_OF_FIELD: Readonly<Record<string, Column>> = {
  reviewerId: 'reviewer_id',
  name: 'name',
  agency: 'agency',
  unit: 'unit',
  capacityPerSitting: 'capacity_per_sitting',
  standingConflicts: 'standing_conflicts',
  active: 'active',
  subject: 'subject',
  personId: 'person_id',
};

const COLUMNS_HELP = `
The file is CSV with a header row naming these columns, in any order:
  reviewer_id           required: rev_ then up to 40 lower-case letters, digits or _, such as rev_jo
  name                  required: the reviewer's name
  agency                required: police, cps, isva, independent, academic, health or local_authority
  capacity_per_sitting  required: how many cases they take per sitting, a whole number from 0 to 50
  standing_conflicts    required: decision-maker or officer ids, units or decisions they must never
                        review, separated by ";" (the cell may be empty): person:DM-9 or DM-9 (an
                        id with a digit and no space) is a person, unit:PPU East or PPU East a
                        unit, dec_... a decision; person ids are pseudonymised on save
  active                required: Y or N
  unit                  optional: their unit; they are never given a decision of it
  subject               optional: who they sign in as at the identity provider
  person_id             optional: for police and CPS staff, their staff id (pseudonymised on save)

Each row adds the reviewer or replaces them whole, so importing the same file again changes nothing.
An optional column left out of the header keeps each reviewer's current value; an empty cell clears it.
A bad row is reported with its line number and the good rows are still saved; the exit code is then 1.

Example:
  reviewer_id,name,agency,unit,capacity_per_sitting,standing_conflicts,active
  rev_sam,Sam Advocate,isva,ISVA Service East,3,DM-0012;PPU East,Y`;

interface Reviewer {
  readonly reviewerId: string;
  readonly subject?: string;
  readonly name: string;
  readonly agency: string;
  readonly unit?: string;
  readonly personId?: string;
  readonly capacityPerSitting: number;
  readonly standingConflicts: readonly string[];
  readonly active: boolean;
}

type ReviewerFields = Omit<Reviewer, 'reviewerId'>;

interface ParsedRecord {
  readonly record: Partial<Record<string, string>>;
  readonly info: Info & { readonly error?: CsvError & { readonly record?: readonly string[] } };
  readonly raw: string;
}

/** A row as read from the file: its first line and its cells, before anything is checked. */
interface FileRow {
  readonly line: number;
  readonly cells: Partial<Record<string, string>>;
  /** Set when the row has more or fewer fields than the header. */
  readonly fieldCount?: number;
}

interface ReviewerFile {
  readonly columns: readonly string[];
  readonly rows: readonly FileRow[];
}

type Change = 'added' | 'updated' | 'unchanged';

interface SavedRow {
  readonly line: number;
  readonly reviewerId: string;
  readonly change: Change;
}

interface RejectedRow {
  readonly line: number;
  readonly reviewerId?: string;
  /** Fields are the file's column names; an empty field means the row as a whole. */
  readonly issues: readonly FieldIssue[];
}

interface ImportSummary {
  readonly file: string;
  readonly read: number;
  readonly saved: readonly SavedRow[];
  readonly rejected: readonly RejectedRow[];
}

interface JsonOption {
  readonly json?: boolean;
}

export function addReviewersCommand(program: Command): void {
  const reviewers = program
    .command('reviewers')
    .description("the panel's reviewers: import them from a CSV file, list them");
  addImport(reviewers);
  addList(reviewers);
}

function addImport(reviewers: Command): void {
  withSignInOptions(
    reviewers
      .command('import')
      .description('add or update reviewers from a CSV file, one row each, reporting bad rows by line')
      .argument('<file>', 'the CSV file, such as reviewers.csv')
      .option('--json', 'print the outcome of every row as JSON')
      .addHelpText('after', COLUMNS_HELP),
    REVIEWERS_USER,
  ).action(async (file: string, options: JsonOption, command: Command) => {
    // Read and checked before signing in, so a wrong file fails before anything is sent.
    const reviewerFile = await readReviewerFile(file);
    const client = await connect(command);
    const save: SendReviewer = (reviewerId, fields) =>
      client.put<Reviewer>(`/reviewers/${encodeURIComponent(reviewerId)}`, fields);
    const summary = await importRows(client, save, file, reviewerFile);
    result(options.json ? JSON.stringify(summary, null, 2) : formatImportSummary(summary));
    if (summary.rejected.length > 0) {
      status(
        `error: ${plural(summary.rejected.length, 'row')} of ${summary.read} rejected; ` +
          'fix them and import the file again (the saved rows stay as they are).',
      );
      process.exitCode = 1;
    }
  });
}

async function readReviewerFile(file: string): Promise<ReviewerFile> {
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT' || error.code === 'EISDIR') throw new Error(`There is no file ${file}.`);
    throw error;
  });
  let columns: string[] = [];
  let parsed: ParsedRecord[];
  try {
    parsed = parse(text, {
      bom: true,
      columns: (header: string[]) => {
        columns = header.map((name) => name.trim().toLowerCase());
        // A spreadsheet's trailing empty column has no name and nothing to say.
        return columns.map((name) => (name === '' ? false : name));
      },
      info: true,
      raw: true,
      relax_column_count: true,
      skip_empty_lines: true,
      trim: true,
    }) as unknown as ParsedRecord[];
  } catch (error) {
    if (error instanceof CsvError) throw new Error(`${file} is not a CSV file we can read: ${error.message}`);
    throw error;
  }
  checkHeader(file, columns);
  return {
    columns,
    rows: parsed.map(({ record, info, raw }) => ({
      line: firstLine(info, raw),
      cells: record,
      ...(info.error?.record && info.error.record.length !== columns.length
        ? { fieldCount: info.error.record.length }
        : {}),
    })),
  };
}

/** csv-parse counts lines to a record's end; a quoted cell may span lines, and people look for the first. */
function firstLine(info: Info, raw: string): number {
  const spanned = raw.trim().split('\n').length - 1;
  return info.lines - spanned;
}

function checkHeader(file: string, columns: readonly string[]): void {
  const issues: FieldIssue[] = [];
  if (columns.length === 0) {
    throw new Error(`${file} is empty: it needs a header row (see scrutineer reviewers import --help).`);
  }
  for (const column of REQUIRED_COLUMNS) {
    if (!columns.includes(column)) issues.push({ field: column, reason: 'required column is missing' });
  }
  const seen = new Set<string>();
  for (const column of columns) {
    if (column === '') continue;
    if (!KNOWN_COLUMNS.includes(column)) issues.push({ field: column, reason: 'unknown column' });
    else if (seen.has(column)) issues.push({ field: column, reason: 'column appears twice' });
    seen.add(column);
  }
  if (issues.length === 0) return;
  const [lead, ...lines] = explainIssues(`The header of ${file} is not a reviewer header`, issues);
  throw new Error(
    [lead, ...lines, '  (the columns are in scrutineer reviewers import --help; nothing was sent)'].join(
      '\n',
    ),
  );
}

/** The request body a row stands for, or what is wrong with it as far as the file alone can tell. */
function rowToReviewer(
  row: FileRow,
  expectedFields: number,
): { reviewerId: string; fields: ReviewerFields } | { issues: FieldIssue[] } {
  const cell = (column: Column) => row.cells[column] ?? '';
  const issues: FieldIssue[] = [];
  if (row.fieldCount !== undefined) {
    issues.push({ field: '', reason: `${row.fieldCount} fields where the header has ${expectedFields}` });
  }
  for (const column of ['reviewer_id', 'name', 'agency'] as const) {
    if (cell(column) === '') issues.push({ field: column, reason: 'missing' });
  }
  const capacity = cell('capacity_per_sitting');
  if (capacity === '') issues.push({ field: 'capacity_per_sitting', reason: 'missing' });
  else if (!/^\d+$/.test(capacity)) {
    issues.push({ field: 'capacity_per_sitting', reason: `"${capacity}" is not a whole number` });
  }
  const active = parseYesNo(cell('active'));
  if (active === undefined) issues.push({ field: 'active', reason: `"${cell('active')}" is not Y or N` });
  if (issues.length > 0 || active === undefined) return { issues };

  // Present but empty optional cells are sent as absent, which clears them; absent columns are
  // filled in from the current reviewer later.
  const optional = (column: Column, field: keyof ReviewerFields) => {
    const value = row.cells[column];
    return value ? { [field]: value } : {};
  };
  return {
    reviewerId: cell('reviewer_id'),
    fields: {
      name: cell('name'),
      agency: cell('agency'),
      ...optional('unit', 'unit'),
      capacityPerSitting: Number(capacity),
      standingConflicts: cell('standing_conflicts')
        .split(';')
        .map((conflict) => conflict.trim())
        .filter((conflict) => conflict !== ''),
      active,
      ...optional('subject', 'subject'),
      ...optional('person_id', 'personId'),
    },
  };
}

function parseYesNo(value: string): boolean | undefined {
  const answer = value.toLowerCase();
  if (answer === 'y' || answer === 'yes') return true;
  if (answer === 'n' || answer === 'no') return false;
  return undefined;
}

type SendReviewer = (reviewerId: string, fields: ReviewerFields) => Promise<Reviewer>;

async function importRows(
  client: ApiClient,
  send: SendReviewer,
  file: string,
  { columns, rows }: ReviewerFile,
): Promise<ImportSummary> {
  // Read first, to say what each row changed and to keep what the file's header leaves out.
  const current = new Map(
    (await client.get<{ items: Reviewer[] }>('/reviewers')).items.map((reviewer) => [
      reviewer.reviewerId,
      reviewer,
    ]),
  );
  const saved: SavedRow[] = [];
  const rejected: RejectedRow[] = [];
  const firstLineOf = new Map<string, number>();
  for (const row of rows) {
    const reviewerIdCell = row.cells.reviewer_id || undefined;
    const reject = (issues: readonly FieldIssue[]) =>
      rejected.push({ line: row.line, ...(reviewerIdCell ? { reviewerId: reviewerIdCell } : {}), issues });
    const checked = rowToReviewer(row, columns.length);
    if ('issues' in checked) {
      reject(checked.issues);
      continue;
    }
    const { reviewerId } = checked;
    const earlier = firstLineOf.get(reviewerId);
    if (earlier !== undefined) {
      reject([{ field: 'reviewer_id', reason: `${reviewerId} is already on line ${earlier}` }]);
      continue;
    }
    firstLineOf.set(reviewerId, row.line);
    const before = current.get(reviewerId);
    const fields = keepOmittedColumns(checked.fields, before, row);
    try {
      const after = await send(reviewerId, fields);
      saved.push({ line: row.line, reviewerId, change: changeOf(before, after) });
    } catch (error) {
      if (error instanceof ApiError && error.status === 400) {
        reject(rowIssues(error));
        continue;
      }
      if (saved.length > 0) {
        status(
          `Stopped at line ${row.line} after saving ${plural(saved.length, 'row')}; ` +
            'importing the file again is safe.',
        );
      }
      throw error;
    }
  }
  return { file, read: rows.length, saved, rejected };
}

/** An optional column the header leaves out is not the file asking to clear it. */
function keepOmittedColumns(
  fields: ReviewerFields,
  before: Reviewer | undefined,
  row: FileRow,
): ReviewerFields {
  if (!before) return fields;
  const kept: Partial<Record<'unit' | 'subject' | 'personId', string>> = {};
  if (!('unit' in row.cells) && before.unit !== undefined) kept.unit = before.unit;
  if (!('subject' in row.cells) && before.subject !== undefined) kept.subject = before.subject;
  if (!('person_id' in row.cells) && before.personId !== undefined) kept.personId = before.personId;
  return { ...fields, ...kept };
}

function changeOf(before: Reviewer | undefined, after: Reviewer): Change {
  if (!before) return 'added';
  return comparable(before) === comparable(after) ? 'unchanged' : 'updated';
}

const REVIEWER_KEYS = [
  'reviewerId',
  'subject',
  'name',
  'agency',
  'unit',
  'personId',
  'capacityPerSitting',
  'standingConflicts',
  'active',
] as const satisfies readonly (keyof Reviewer)[];

/** The same for the same reviewer, whatever order the API sends the keys in. */
function comparable(reviewer: Reviewer): string {
  return JSON.stringify(REVIEWER_KEYS.map((key) => reviewer[key] ?? null));
}

/** The API's refusal of one row, in the file's column names. */
function rowIssues(error: ApiError): FieldIssue[] {
  if (error.issues.length === 0) return [{ field: '', reason: error.message }];
  return error.issues.map(({ field, reason }) => {
    const [part, name = '', ...rest] = field.split('.');
    if (part !== 'body' && part !== 'path') return { field, reason };
    return { field: [COLUMN_OF_FIELD[name] ?? name, ...rest].join('.'), reason };
  });
}

function formatImportSummary({ file, read, saved, rejected }: ImportSummary): string {
  const sections: string[] = [];
  if (saved.length > 0) {
    sections.push(
      `Saved (${saved.length}):\n${formatTable([
        ['line', 'reviewer', 'change'],
        ...saved.map((row): Cell[] => [row.line, row.reviewerId, row.change]),
      ])}`,
    );
  }
  if (rejected.length > 0) {
    sections.push(
      `Rejected (${rejected.length}):\n${formatTable([
        ['line', 'reviewer', 'reason'],
        ...rejected.map((row): Cell[] => [row.line, row.reviewerId ?? '–', describeIssues(row.issues)]),
      ])}`,
    );
  }
  const count = (change: Change) => saved.filter((row) => row.change === change).length;
  sections.push(
    `${file}\n${formatTable([
      ['rows read', read],
      ['saved', saved.length],
      ['  added', count('added')],
      ['  updated', count('updated')],
      ['  unchanged', count('unchanged')],
      ['rejected', rejected.length],
    ])}`,
  );
  return sections.join('\n\n');
}

function describeIssues(issues: readonly FieldIssue[]): string {
  return issues.map(({ field, reason }) => (field ? `${field}: ${reason}` : reason)).join('; ');
}

function addList(reviewers: Command): void {
  withSignInOptions(
    reviewers
      .command('list')
      .description('list the reviewers: agency, unit, capacity per sitting, active, standing conflicts')
      .option('--json', 'print the reviewer records as JSON'),
    REVIEWERS_USER,
  ).action(async (options: JsonOption, command: Command) => {
    const { items } = await (await connect(command)).get<{ items: Reviewer[] }>('/reviewers');
    const sorted = [...items].sort((a, b) => a.reviewerId.localeCompare(b.reviewerId));
    result(options.json ? JSON.stringify(sorted, null, 2) : formatReviewerList(sorted));
  });
}

function formatReviewerList(reviewers: readonly Reviewer[]): string {
  if (reviewers.length === 0) return 'No reviewers yet. Add them with: scrutineer reviewers import FILE.csv';
  return formatTable(
    [
      ['reviewer', 'name', 'agency', 'unit', 'capacity', 'active', 'conflicts'],
      ...reviewers.map((reviewer): Cell[] => [
        reviewer.reviewerId,
        reviewer.name,
        reviewer.agency,
        reviewer.unit ?? '–',
        reviewer.capacityPerSitting,
        reviewer.active ? 'yes' : 'no',
        reviewer.standingConflicts.length,
      ]),
    ],
    '',
  );
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
