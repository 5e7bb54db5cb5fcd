import { buildOpenApiDocument } from '#shared/api/openapi';
import { apiHandler } from '#shared/http/api-handler';
import { APP_VERSION } from '#shared/version';

const document = buildOpenApiDocument(APP_VERSION);

export const handler = apiHandler('getOpenApiDocument', async () => document);
