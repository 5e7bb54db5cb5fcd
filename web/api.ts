/** The web application's client of the Scrutineer API: every call as the signed-in person. */

export class ApiRefused extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
  ) {
    super(`The API answered ${status}`);
    this.name = 'ApiRefused';
  }
}

export async function callApi<T = Record<string, unknown>>(
  apiUrl: string,
  idToken: string,
  method: 'GET' | 'POST' | 'PUT',
  route: string,
  body?: unknown,
): Promise<T> {
  const response = await fetch(`${apiUrl}${route}`, {
    method,
    headers: {
      authorization: `Bearer ${idToken}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const parsed = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  if (!response.ok) throw new ApiRefused(response.status, parsed);
  return parsed as T;
}

/** The error summary's list: each error's words and the link to its field. */
export type FieldErrors = { text: string; href: string }[];

/** Each field's own error message, for the components' `errorMessage`, by field id. */
export const errorsByField = (errors: FieldErrors) =>
  Object.fromEntries(errors.map((error) => [error.href.slice(1), { text: error.text }]));

/** A form shown again after a refusal: what was typed, and the errors for the error summary. */
export interface FormState {
  readonly values: Readonly<Record<string, string>>;
  readonly errors: FieldErrors;
}

/**
 * The API's 400 as the error summary's list: each issue on one of the form's fields, linked to it.
 * Undefined when the refusal is not about the form's fields.
 */
export function fieldErrors(
  error: unknown,
  anchorOf: (field: string) => string | undefined,
): FieldErrors | undefined {
  if (!(error instanceof ApiRefused) || error.status !== 400) return undefined;
  const issues = (error.body.issues as { field?: string; reason?: string }[] | undefined) ?? [];
  const errors = issues.flatMap((issue) => {
    const href = issue.field ? anchorOf(issue.field) : undefined;
    return href ? [{ text: sentence(issue.reason ?? 'Check this answer'), href }] : [];
  });
  return errors.length > 0 ? errors : undefined;
}

const sentence = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
