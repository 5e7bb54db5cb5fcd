import { noSuchRouteHandler } from '#shared/http/api-handler';

export const handler = noSuchRouteHandler();
