/**
 * How an import file's CSV is split into records and fields (RFC 4180), in one place: the chunk
 * planner (shared/imports/chunk-plan.ts) finds record boundaries in bytes with the same steps as
 * `readCsvRecords` reads a chunk, so the two always agree where records start.
 *
 * - A quote opens a quoted value only at the start of a field; a quote inside an unquoted value
 *   (`=HYPERLINK("…")`) is kept as it is and never swallows the lines after it.
 * - In a quoted value a doubled quote is a quote, and the value ends at the next single quote;
 *   anything but a comma or a line break after it is an error on that line.
 * - A record that cannot be read and runs over several lines (a quote opened by mistake) is
 *   reported on its first line, and reading resumes on the next line, so every line is either
 *   read or reported: one bad quote never takes the rows after it with it.
 */

/** Where reading stands within a record. */
export const CSV_STATE = {
  fieldStart: 0,
  unquoted: 1,
  quoted: 2,
  /** A quote seen inside a quoted value: the next character says whether it closed the value. */
  quoteInQuoted: 3,
  /** After a quoted value's closing quote, before the comma or line break that must follow. */
  afterClose: 4,
} as const;
export type CsvState = (typeof CSV_STATE)[keyof typeof CSV_STATE];

export const NEWLINE = 0x0a;
const RETURN = 0x0d;
const QUOTE = 0x22;
const COMMA = 0x2c;
/** A quoted value longer than this is taken to be a quote opened by mistake (a summary is 4,000 characters). */
const MAX_QUOTED_CHARS = 64 * 1024;

/** The state after one character (or byte: the characters that matter are ASCII) that does not end a record. */
export function csvStep(state: CsvState, code: number | undefined): CsvState {
  switch (state) {
    case CSV_STATE.fieldStart:
      return code === QUOTE ? CSV_STATE.quoted : code === COMMA ? CSV_STATE.fieldStart : CSV_STATE.unquoted;
    case CSV_STATE.unquoted:
    case CSV_STATE.afterClose:
      return code === COMMA ? CSV_STATE.fieldStart : state;
    case CSV_STATE.quoted:
      return code === QUOTE ? CSV_STATE.quoteInQuoted : CSV_STATE.quoted;
    default:
      return code === QUOTE ? CSV_STATE.quoted : code === COMMA ? CSV_STATE.fieldStart : CSV_STATE.afterClose;
  }
}

/** A line break ends the record unless it is inside a quoted value. */
export const endsRecord = (state: CsvState, code: number | undefined) =>
  code === NEWLINE && state !== CSV_STATE.quoted;

export type CsvRecord =
  | { readonly line: number; readonly fields: readonly string[]; readonly strayQuote: boolean }
  | { readonly line: number; readonly problem: string };

interface Scanned {
  readonly fields: string[];
  /** Index after the record's line break (or the end of the text). */
  readonly end: number;
  /** Line breaks inside the record's quoted values. */
  readonly innerLines: number;
  readonly strayQuote: boolean;
  /** Why the record cannot be read as it stands, and on which line of it (0 for its first). */
  readonly problem?: { readonly reason: string; readonly lineOffset: number };
}

/** Reads one record from `start`. */
function scanRecord(text: string, start: number): Scanned {
  const fields: string[] = [];
  let state: CsvState = CSV_STATE.fieldStart;
  let segment = start;
  let parts: string[] = [];
  let quotedFrom = start;
  let innerLines = 0;
  let strayQuote = false;
  let problem: Scanned['problem'];
  const closeField = (end: number, recordEnd = false) => {
    // The CR of a CRLF line break is not part of the last value.
    const last = recordEnd && end > segment && text.charCodeAt(end - 1) === RETURN ? end - 1 : end;
    if (state === CSV_STATE.unquoted) fields.push(text.slice(segment, last));
    else if (state === CSV_STATE.fieldStart) fields.push('');
    else if (state === CSV_STATE.quoteInQuoted) fields.push(parts.join(''));
    else if (state === CSV_STATE.afterClose) {
      const after = text.slice(segment, last);
      if (after !== '' && !problem) {
        problem = {
          reason: `text after the closing quote of field ${fields.length + 1}: a quote inside a quoted value is written twice ("")`,
          lineOffset: innerLines,
        };
      }
      fields.push(parts.join('') + after);
    }
  };
  let i = start;
  for (; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (endsRecord(state, code)) {
      closeField(i, true);
      return { fields, end: i + 1, innerLines, strayQuote, ...(problem ? { problem } : {}) };
    }
    const next = csvStep(state, code);
    if (state === CSV_STATE.quoted) {
      if (code === NEWLINE) innerLines++;
      if (next === CSV_STATE.quoteInQuoted) parts.push(text.slice(segment, i));
      else if (i - quotedFrom > MAX_QUOTED_CHARS) break;
    } else if (state === CSV_STATE.quoteInQuoted && next === CSV_STATE.quoted) {
      parts.push('"');
      segment = i + 1;
    } else if (next === CSV_STATE.fieldStart) {
      closeField(i);
    } else if (state === CSV_STATE.fieldStart) {
      segment = next === CSV_STATE.quoted ? i + 1 : i;
      parts = [];
      quotedFrom = i;
    } else if (state === CSV_STATE.quoteInQuoted) {
      segment = i; // after the closing quote: kept, and refused in closeField
    } else if (code === QUOTE) {
      strayQuote = true;
    }
    state = next;
  }
  if (state === CSV_STATE.quoted) {
    // Never closed (or far too long to be a value): this line is reported, the next read afresh.
    const lineEnd = text.indexOf('\n', start);
    return {
      fields,
      end: lineEnd < 0 ? text.length : lineEnd + 1,
      innerLines: 0,
      strayQuote,
      problem: { reason: 'a quoted value opened on this line is never closed', lineOffset: 0 },
    };
  }
  closeField(i, true);
  return { fields, end: i, innerLines, strayQuote, ...(problem ? { problem } : {}) };
}

/**
 * The CSV records of a chunk of text that starts at a record boundary on line `firstLine`, each
 * with the line it starts on, or the problem that stops it being read. `expectedFields` makes a
 * record that spans lines with the wrong number of fields a misread too (a stray opening quote),
 * so the lines it swallowed are read again.
 */
export function readCsvRecords(text: string, firstLine: number, expectedFields: number): CsvRecord[] {
  const records: CsvRecord[] = [];
  let position = 0;
  let line = firstLine;
  while (position < text.length) {
    const scanned = scanRecord(text, position);
    const misread =
      scanned.innerLines > 0 && (scanned.problem !== undefined || scanned.fields.length !== expectedFields);
    if (misread) {
      // Most likely a quote opened by mistake: this line is reported, the next is read afresh.
      const where = scanned.problem
        ? `to line ${line + scanned.problem.lineOffset}, where there is ${scanned.problem.reason}`
        : `over ${scanned.innerLines} more line${scanned.innerLines === 1 ? '' : 's'} into a record of ${scanned.fields.length} fields, not ${expectedFields}`;
      records.push({
        line,
        problem: `a quoted value opened on this line runs on ${where}; the lines after this one are read on their own`,
      });
      const lineEnd = text.indexOf('\n', position);
      position = lineEnd < 0 ? text.length : lineEnd + 1;
      line += 1;
      continue;
    }
    // A wrong number of fields is what the person can act on (quote the value); else the quote itself.
    if (scanned.problem && scanned.fields.length === expectedFields) {
      records.push({ line: line + scanned.problem.lineOffset, problem: scanned.problem.reason });
    } else {
      records.push({ line, fields: scanned.fields, strayQuote: scanned.strayQuote });
    }
    position = scanned.end;
    line += scanned.innerLines + 1;
  }
  return records;
}
