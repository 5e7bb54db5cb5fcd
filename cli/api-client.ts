/**
 * Calls to the Scrutineer API and to the presigned S3 URLs it hands out. Failures become errors the
 * entry point knows how to print: ApiError for a refusal by the API, UnreachableError when nothing
 * answers, SignInError when the local sign-in refuses, TransferError when S3 refuses a file.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import { Readable } from 'node:stream';
import { text as readText } from 'node:stream/consumers';
import { pipeline } from 'node:stream/promises';
import type { Settings } from './config.ts';

export interface FieldIssue {
  readonly field: string;
  readonly reason: string;
}

/** The API's error body; API Gateway's own refusals (401, 404 route) carry only `message`. */
interface ErrorBody {
  readonly error?: string;
  readonly message?: string;
  readonly issues?: readonly FieldIssue[];
  readonly requestId?: string;
}

export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly errorName: string | undefined,
    message: string,
    readonly issues: readonly FieldIssue[],
    readonly requestId: string | undefined,
    /** Who the call was made as, to explain a 401 or 403. */
    readonly caller: string,
  ) {
    super(message);
  }
}

export class UnreachableError extends Error {
  override readonly name = 'UnreachableError';
}

export class SignInError extends Error {
  override readonly name = 'SignInError';
}

/** S3 refused a presigned upload or download. */
export class TransferError extends Error {
  override readonly name = 'TransferError';
}

export interface ApiClient {
  readonly apiUrl: string;
  /** The demo user signed in as, or `the token in SCRUTINEER_TOKEN`. */
  readonly caller: string;
  get<T>(path: string): Promise<T>;
  post<T>(path: string, body?: unknown): Promise<T>;
  put<T>(path: string, body?: unknown): Promise<T>;
  delete<T>(path: string): Promise<T>;
}

export function isLoopback(url: string): boolean {
  const { hostname } = new URL(url);
  return hostname === '127.0.0.1' || hostname === 'localhost' || hostname === '[::1]';
}

export async function createApiClient(settings: Settings): Promise<ApiClient> {
  const { apiUrl, credentials } = settings;
  const token =
    'token' in credentials ? credentials.token : await signIn(credentials.issuerUrl, credentials.username);
  const caller = 'token' in credentials ? 'the token in SCRUTINEER_TOKEN' : credentials.username;

  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const response = await reach(apiUrl, 'the API', () =>
      fetch(`${apiUrl}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          accept: 'application/json',
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      }),
    );
    const text = await response.text();
    const parsed = parseJson(text);
    if (response.ok) return parsed as T;
    const error = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as ErrorBody;
    throw new ApiError(
      response.status,
      error.error,
      error.message ?? (text.trim() || response.statusText),
      error.issues ?? [],
      error.requestId ?? response.headers.get('apigw-requestid') ?? undefined,
      caller,
    );
  };

  return {
    apiUrl,
    caller,
    get: (path) => call('GET', path),
    post: (path, body) => call('POST', path, body),
    put: (path, body) => call('PUT', path, body),
    delete: (path) => call('DELETE', path),
  };
}

/** A local sign-in: the demo issuer hands an ID token to anyone naming a demo user. */
export async function signIn(issuerUrl: string, username: string): Promise<string> {
  const response = await reach(issuerUrl, 'the local sign-in', () =>
    fetch(`${issuerUrl}/token`, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'password', username }),
    }),
  );
  const body = parseJson(await response.text()) as { id_token?: string; error?: string } | undefined;
  if (response.ok && body?.id_token) return body.id_token;
  if (body?.error === 'invalid_grant') {
    throw new SignInError(`There is no demo user "${username}".${await demoUsersHint(issuerUrl)}`);
  }
  throw new SignInError(`Signing in at ${issuerUrl} failed: ${response.status} ${body?.error ?? ''}`);
}

async function demoUsersHint(issuerUrl: string): Promise<string> {
  try {
    const users = (await (await fetch(`${issuerUrl}/demo-users`)).json()) as { username: string }[];
    return ` Demo users: ${users.map((user) => user.username).join(', ')}.`;
  } catch {
    return '';
  }
}

/**
 * PUTs a file to a presigned URL, streamed from disk with its length (S3 refuses a chunked upload),
 * reporting the bytes sent so far. A URL signed for a content type needs that type sent with it.
 */
export async function uploadFile(
  url: string,
  filePath: string,
  onProgress: (bytesSent: number) => void = () => {},
  contentType?: string,
): Promise<void> {
  const { size } = await stat(filePath);
  const target = new URL(url);
  const request = (target.protocol === 'https:' ? https : http).request(target, {
    method: 'PUT',
    headers: { 'content-length': size, ...(contentType ? { 'content-type': contentType } : {}) },
  });
  const answered = new Promise<http.IncomingMessage>((resolve, reject) => {
    request.once('response', resolve);
    request.once('error', reject);
  });
  // Reported through the pipeline when the request fails while the file is still being sent.
  answered.catch(() => {});
  let sent = 0;
  const file = createReadStream(filePath).on('data', (chunk) => {
    sent += chunk.length;
    onProgress(sent);
  });
  const response = await reach(url, 'the file store', async () => {
    await pipeline(file, request);
    return answered;
  });
  const body = await readText(response);
  const status = response.statusCode ?? 0;
  if (status < 200 || status >= 300) {
    // S3 explains itself in XML: the code and message are enough.
    const code = /<Code>([^<]*)<\/Code>/.exec(body)?.[1];
    const message = /<Message>([^<]*)<\/Message>/.exec(body)?.[1];
    throw new TransferError(
      `Uploading ${filePath} failed: ${status}${code ? ` ${code}` : ''}${message ? `: ${message}` : ''}`,
    );
  }
}

/** GETs a presigned URL, as a stream so a large report is never held whole. */
export async function download(url: string): Promise<Readable> {
  const response = await reach(url, 'the file store', () => fetch(url));
  if (!response.ok || !response.body) {
    throw new TransferError(`Downloading ${new URL(url).pathname} failed: ${response.status}`);
  }
  return Readable.fromWeb(response.body);
}

/** Runs a request, turning "nothing is listening" into an UnreachableError that says what to do. */
async function reach<T>(url: string, what: string, send: () => Promise<T>): Promise<T> {
  try {
    return await send();
  } catch (error) {
    const code = connectionErrorCode(error);
    if (!code) throw error;
    const origin = new URL(url).origin;
    const hint = isLoopback(url) && code === 'ECONNREFUSED' ? ' Is `npm start` running?' : '';
    throw new UnreachableError(`Could not reach ${what} at ${origin} (${code}).${hint}`);
  }
}

const CONNECTION_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
]);

/** fetch hides the socket error in `cause`, sometimes inside an AggregateError (one per address). */
function connectionErrorCode(error: unknown): string | undefined {
  const candidates: unknown[] = [error];
  for (let i = 0; i < candidates.length && i < 10; i++) {
    const candidate = candidates[i] as { code?: unknown; cause?: unknown; errors?: unknown } | undefined;
    if (!candidate || typeof candidate !== 'object') continue;
    if (typeof candidate.code === 'string' && CONNECTION_ERROR_CODES.has(candidate.code))
      return candidate.code;
    if (candidate.cause) candidates.push(candidate.cause);
    if (Array.isArray(candidate.errors)) candidates.push(...candidate.errors);
  }
  return undefined;
}

function parseJson(text: string): unknown {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}
