import { apiHandler } from '#shared/http/api-handler';
import { startImport } from '#shared/imports/imports';

export const handler = apiHandler('startImport', async ({ params }) => startImport(params.importId));
