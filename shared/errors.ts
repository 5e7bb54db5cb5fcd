/**
 * Errors with a stable `name`: workflows Catch and Retry by it, and the API maps it to a status
 * code in one place (shared/http/api-handler.ts). Anything else is unexpected and becomes a 500
 * with a request id and no internals.
 */

export interface FieldIssue {
  readonly field: string;
  readonly reason: string;
}

/** Input that can never succeed as sent: caught, never retried. */
export class ValidationError extends Error {
  override readonly name = 'ValidationError';
  constructor(
    message: string,
    readonly issues: readonly FieldIssue[] = [],
  ) {
    super(message);
  }
}

/** A missing record, or one the caller may not see: the two are indistinguishable on purpose. */
export class NotFoundError extends Error {
  override readonly name = 'NotFoundError';
  constructor(message = 'Not found') {
    super(message);
  }
}

/** The path is a route, but not for this method. */
export class MethodNotAllowedError extends Error {
  override readonly name = 'MethodNotAllowedError';
  constructor(
    message: string,
    readonly allowed: readonly string[],
  ) {
    super(message);
  }
}

/** The caller is known but their roles do not allow the action. */
export class ForbiddenError extends Error {
  override readonly name = 'ForbiddenError';
  constructor(message = 'Forbidden') {
    super(message);
  }
}

/** No usable identity on the request. */
export class UnauthorizedError extends Error {
  override readonly name = 'UnauthorizedError';
  constructor(message = 'Unauthorized') {
    super(message);
  }
}

/** The request body is larger than the route accepts. */
export class PayloadTooLargeError extends Error {
  override readonly name = 'PayloadTooLargeError';
}

/** The request conflicts with the record's current state (e.g. starting an import twice). */
export class ConflictError extends Error {
  override readonly name = 'ConflictError';
}

/** Worth retrying: a throttle or a dependency that was briefly unavailable. */
export class TransientError extends Error {
  override readonly name = 'TransientError';
}

/** Error names the workflows treat as final (Catch, never Retry). */
export const NON_RETRYABLE_ERRORS = ['ValidationError', 'NotFoundError', 'ConflictError'] as const;

/**
 * Error names the workflows retry: the service faults of Lambda, our own TransientError, and the
 * AWS SDK's throttling and transient errors once its own retries are spent (a timed-out
 * connection, whose request may or may not have been applied, is `TimeoutError`; every step is
 * written to be run again).
 */
export const RETRYABLE_ERRORS = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
  'TransientError',
  'States.Timeout',
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'InternalServerError',
  'ServiceUnavailable',
  'TransactionConflictException',
] as const;
