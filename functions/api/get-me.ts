import { apiHandler } from '#shared/http/api-handler';

export const handler = apiHandler('getMe', async ({ principal }) => ({
  subject: principal.subject,
  name: principal.name,
  roles: [...principal.roles],
}));
