import { closest, distance } from 'fastest-levenshtein';
import { z } from 'zod';
import { type FieldIssue, ValidationError } from './errors.ts';

type RawIssue = z.core.$ZodRawIssue;

const describedType = (value: unknown): string => {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'number' && Number.isNaN(value)) return 'not a number';
  const type = typeof value;
  return type === 'object' ? 'an object' : /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
};

const EXPECTED: Readonly<Record<string, string>> = {
  number: 'a number',
  int: 'a whole number',
  string: 'text',
  boolean: 'true or false',
  array: 'a list',
  object: 'an object',
};

const FORMATS: Readonly<Record<string, string>> = {
  date: 'a date as YYYY-MM-DD',
  datetime: 'a date and time in ISO 8601, such as 2027-01-31T09:00:00Z',
  email: 'an email address',
  url: 'a URL',
  uuid: 'a UUID',
};

function bound(issue: RawIssue & { code: 'too_small' | 'too_big' }): string | undefined {
  const limit = Number(issue.code === 'too_small' ? issue.minimum : issue.maximum);
  const least = issue.code === 'too_small';
  switch (issue.origin) {
    case 'string':
      if (least && limit === 1) return 'must not be empty';
      return `must have ${least ? 'at least' : 'at most'} ${limit} character${limit === 1 ? '' : 's'}`;
    case 'array':
    case 'set':
      return `must have ${least ? 'at least' : 'at most'} ${limit} item${limit === 1 ? '' : 's'}`;
    case 'number':
    case 'int':
    case 'bigint':
      return issue.inclusive
        ? `must be ${least ? 'at least' : 'at most'} ${limit}`
        : `must be ${least ? 'greater' : 'less'} than ${limit}`;
    default:
      return undefined;
  }
}

/**
 * Zod's own messages, said plainly for the people who read them ("must be a whole number", not
 * "Invalid input: expected int, received number"; "must be a number", never "received NaN").
 * Messages a schema gives itself are kept.
 */
export function plainMessage(issue: RawIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_type': {
      if (issue.input === undefined) return 'is required';
      const expected = EXPECTED[issue.expected] ?? issue.expected;
      const numeric = issue.expected === 'number' || issue.expected === 'int';
      if (numeric && (typeof issue.input !== 'number' || Number.isNaN(issue.input)))
        return `must be ${expected}`;
      if (issue.expected === 'int') return 'must be a whole number';
      return `must be ${expected}, not ${describedType(issue.input)}`;
    }
    case 'invalid_value':
      return issue.values.length === 1
        ? `must be ${JSON.stringify(issue.values[0])}`
        : `must be one of ${issue.values.map((value) => String(value)).join(', ')}`;
    case 'too_small':
    case 'too_big':
      return bound(issue);
    case 'invalid_format': {
      const format = FORMATS[issue.format];
      return format ? `must be ${format}` : undefined;
    }
    default:
      return undefined;
  }
}

z.config({ customError: plainMessage });

interface SchemaDef {
  readonly type: string;
  readonly shape?: Record<string, z.ZodType>;
  readonly catchall?: z.ZodType;
  readonly innerType?: z.ZodType;
  readonly element?: z.ZodType;
  readonly in?: z.ZodType;
  readonly options?: readonly z.ZodType[];
  readonly valueType?: z.ZodType;
  readonly left?: z.ZodType;
  readonly right?: z.ZodType;
}

const defOf = (schema: z.ZodType) => (schema as unknown as { _zod: { def: SchemaDef } })._zod.def;
const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The reason given for a field a request does not have (a suggestion may follow). */
export const UNKNOWN_FIELD = 'is not a field of this request';

/** A known field a mistyped one is probably meant to be: one or two edits away, or one a prefix of the other. */
export function didYouMean(field: string, known: readonly string[]): string | undefined {
  if (known.length === 0) return undefined;
  const lower = field.toLowerCase();
  const prefixed = known.find((name) => {
    const other = name.toLowerCase();
    return Math.min(other.length, lower.length) >= 4 && (other.startsWith(lower) || lower.startsWith(other));
  });
  if (prefixed) return prefixed;
  const nearest = closest(field, [...known]);
  return distance(field.toLowerCase(), nearest.toLowerCase()) <= Math.max(2, Math.floor(field.length / 4))
    ? nearest
    : undefined;
}

/**
 * The fields of a value that its schema does not know, at any depth, each with the known field it
 * is probably meant to be. Zod drops such fields silently from an object that is not strict; here
 * they are named instead, so nothing sent is lost without a word. Objects that accept any field
 * (`.loose()`, records) have none.
 */
export function unknownFields(schema: z.ZodType, value: unknown, path: readonly string[] = []): FieldIssue[] {
  const def = defOf(schema);
  const at = (key: string) => [...path, key].join('.');
  switch (def.type) {
    case 'object': {
      if (!isRecord(value) || !def.shape) return [];
      const known = Object.keys(def.shape);
      return Object.entries(value).flatMap(([key, inner]) => {
        const field = def.shape?.[key];
        if (field) return unknownFields(field, inner, [...path, key]);
        if (def.catchall && defOf(def.catchall).type !== 'never')
          return unknownFields(def.catchall, inner, [...path, key]);
        const meant = didYouMean(key, known);
        return [
          {
            field: at(key),
            reason: `${UNKNOWN_FIELD}${meant ? `; did you mean ${meant}?` : ''}`,
          },
        ];
      });
    }
    case 'array':
      return Array.isArray(value) && def.element
        ? value.flatMap((item, index) =>
            unknownFields(def.element as z.ZodType, item, [...path, String(index)]),
          )
        : [];
    case 'record':
      return isRecord(value) && def.valueType
        ? Object.entries(value).flatMap(([key, inner]) =>
            unknownFields(def.valueType as z.ZodType, inner, [...path, key]),
          )
        : [];
    case 'union': {
      // The option that fits best: the one that leaves the fewest fields unknown.
      const byOption = (def.options ?? []).map((option) => unknownFields(option, value, path));
      return byOption.sort((a, b) => a.length - b.length)[0] ?? [];
    }
    case 'intersection':
      return [
        ...(def.left ? unknownFields(def.left, value, path) : []),
        ...(def.right ? unknownFields(def.right, value, path) : []),
      ];
    case 'pipe':
      return def.in ? unknownFields(def.in, value, path) : [];
    default:
      return def.innerType ? unknownFields(def.innerType, value, path) : [];
  }
}

/** Zod issues as field/reason pairs, naming fields as the caller knows them. */
export function zodIssues(error: z.ZodError, rename: (field: string) => string = (f) => f): FieldIssue[] {
  const named = (path: readonly PropertyKey[]) => {
    const [head, ...rest] = path.map(String);
    return head === undefined ? '(root)' : [rename(head), ...rest].join('.');
  };
  return error.issues.flatMap((issue) =>
    // A field the schema does not know is named itself, so nothing sent is dropped unsaid.
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({
          field: named([...issue.path, key]),
          reason: UNKNOWN_FIELD,
        }))
      : [{ field: named(issue.path), reason: issue.message }],
  );
}

/** Every problem with a value against its schema, at once: the schema's refusals and the fields it does not know. */
export function checkAgainst<S extends z.ZodType>(
  schema: S,
  value: unknown,
): { ok: true; data: z.infer<S> } | { ok: false; issues: FieldIssue[] } {
  const parsed = schema.safeParse(value);
  const unknown = unknownFields(schema, value);
  if (parsed.success && unknown.length === 0) return { ok: true, data: parsed.data };
  // A strict object's unknown fields zod reports too: named once, with the suggestion.
  const named = new Set(unknown.map((issue) => issue.field));
  const refused = parsed.success ? [] : zodIssues(parsed.error).filter((issue) => !named.has(issue.field));
  return { ok: false, issues: [...refused, ...unknown] };
}

/**
 * Parses with a schema, or throws a ValidationError naming every bad field. For a workflow step's
 * input, where the state carries more than the step reads: fields it does not know are left out.
 * What people send goes through checkAgainst instead.
 */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues = zodIssues(parsed.error);
  const summary = issues.map((issue) => `${issue.field}: ${issue.reason}`).join('; ');
  throw new ValidationError(`Invalid ${what}: ${summary}`, issues);
}
