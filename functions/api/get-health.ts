import { apiHandler } from '#shared/http/api-handler';
import { APP_VERSION } from '#shared/version';

export const handler = apiHandler('getHealth', async () => ({ status: 'ok' as const, version: APP_VERSION }));
