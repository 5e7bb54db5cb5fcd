import { apiHandler } from '#shared/http/api-handler';
import { listImportRecords } from '#shared/imports/import-store';

export const handler = apiHandler('listImports', async () => ({ items: await listImportRecords() }));
