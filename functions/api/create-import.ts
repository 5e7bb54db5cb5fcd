import { apiHandler } from '#shared/http/api-handler';
import { createImport } from '#shared/imports/imports';

export const handler = apiHandler('createImport', async ({ body, principal }) =>
  createImport(body, principal),
);
