import { describe, expect, it } from 'vitest';
import { ConflictError, ValidationError } from '../../shared/errors.ts';
import { errorResponse } from '../../shared/http/api-handler.ts';

describe('errorResponse', () => {
  it('maps known errors to their status with the reason and fields', () => {
    const response = errorResponse(
      new ValidationError('Bad', [{ field: 'body.x', reason: 'required' }]),
      'req-1',
    );
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(String(response.body))).toEqual({
      error: 'ValidationError',
      message: 'Bad',
      issues: [{ field: 'body.x', reason: 'required' }],
      requestId: 'req-1',
    });
    expect(errorResponse(new ConflictError('Started'), 'req-2').statusCode).toBe(409);
  });

  it('answers anything unexpected with a bare 500: no message, stack or internals', () => {
    const error = new TypeError(
      "Cannot read properties of undefined (reading 'crimeReference') at /var/task/index.mjs",
    );
    const response = errorResponse(error, 'req-3');
    expect(response.statusCode).toBe(500);
    expect(JSON.parse(String(response.body))).toEqual({
      error: 'InternalError',
      message: 'Internal error',
      requestId: 'req-3',
    });
    expect(response.headers).toMatchObject({
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-store',
    });
  });
});
