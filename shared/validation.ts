import type { z } from 'zod';
import { type FieldIssue, ValidationError } from './errors.ts';

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
          reason: 'is not a field of this request',
        }))
      : [{ field: named(issue.path), reason: issue.message }],
  );
}

/** Parses with a schema, or throws a ValidationError naming every bad field. */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues = zodIssues(parsed.error);
  const summary = issues.map((issue) => `${issue.field}: ${issue.reason}`).join('; ');
  throw new ValidationError(`Invalid ${what}: ${summary}`, issues);
}
