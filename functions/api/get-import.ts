import { apiHandler } from '#shared/http/api-handler';
import { getImportRecord } from '#shared/imports/import-store';

export const handler = apiHandler('getImport', async ({ params }) => getImportRecord(params.importId));
