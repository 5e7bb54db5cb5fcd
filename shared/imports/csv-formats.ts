/**
 * The CSV files an import reads, told apart by their header rows. The CLI picks the format of a
 * file given without `--format` by its header; a header that is none of them is refused with the
 * one it resembles most and the columns it lacks, and the import workflow names that resemblance
 * too when a file's header is not the format it was registered as.
 */
import { FORCE_EXPORT_HEADER } from './force-export.ts';
import { POLICE_UK_OUTCOMES_HEADER, POLICE_UK_STREET_HEADER } from './police-uk.ts';

export const CSV_FILES = [
  {
    file: 'force-csv',
    name: 'a force export',
    format: 'force-csv',
    columns: FORCE_EXPORT_HEADER,
    // The force export's columns are matched whatever their case, as the import reads them.
    normalise: (column: string) => column.trim().toLowerCase(),
  },
  {
    file: 'police-uk',
    name: 'a data.police.uk street file',
    format: 'police-uk',
    columns: POLICE_UK_STREET_HEADER,
    normalise: (column: string) => column.trim(),
  },
  {
    file: 'police-uk-outcomes',
    name: 'a data.police.uk outcomes file',
    format: undefined,
    columns: POLICE_UK_OUTCOMES_HEADER,
    normalise: (column: string) => column.trim(),
  },
] as const;

export type CsvFile = (typeof CSV_FILES)[number]['file'];

/** How far a header is one kind of file: its columns found, missing and not expected. */
export interface Resemblance {
  readonly file: CsvFile;
  readonly name: string;
  readonly found: number;
  readonly total: number;
  readonly missing: readonly string[];
  readonly unexpected: readonly string[];
}

/** Every kind of file, the one the header resembles most first (most columns found, then fewest missing). */
export function resemblances(header: readonly string[]): Resemblance[] {
  return CSV_FILES.map(({ file, name, format, columns, normalise }) => {
    const names = header.map(normalise).filter((column) => column !== '');
    const expected: readonly string[] = columns;
    const missing = expected.filter((column) => !names.includes(column));
    return {
      file,
      name: format ? `${name} (format ${format})` : name,
      found: expected.length - missing.length,
      total: expected.length,
      missing,
      unexpected: names.filter((column) => !expected.includes(column)),
    };
  }).sort((a, b) => b.found - a.found || a.missing.length - b.missing.length);
}

/** The kind of file whose header this is exactly (every column, no other), if any. */
export function csvFileOf(header: readonly string[]): CsvFile | undefined {
  const [closest] = resemblances(header);
  return closest && closest.missing.length === 0 && closest.unexpected.length === 0
    ? closest.file
    : undefined;
}

/** "it looks like …, 8 of 10 columns; missing: …; not expected: …", or that it shares no column. */
export function describeResemblance(resemblance: Resemblance | undefined): string {
  if (!resemblance || resemblance.found === 0) {
    return `it shares no column with ${CSV_FILES.map(({ name }) => name).join(', ')}`;
  }
  const { name, found, total, missing, unexpected } = resemblance;
  return [
    `it looks like ${name}, ${found} of ${total} columns`,
    ...(missing.length > 0 ? [`missing: ${missing.join(', ')}`] : []),
    ...(unexpected.length > 0 ? [`not expected: ${unexpected.join(', ')}`] : []),
  ].join('; ');
}
