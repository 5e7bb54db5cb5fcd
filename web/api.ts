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
