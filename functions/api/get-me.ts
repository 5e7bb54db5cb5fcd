import { apiHandler } from '#shared/http/api-handler';
import { recordSignIn } from '#shared/people/people';

export const handler = apiHandler('getMe', async ({ principal }) => {
  await recordSignIn(principal);
  return { subject: principal.subject, name: principal.name, roles: [...principal.roles] };
});
