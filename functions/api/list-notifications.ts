import { apiHandler } from '#shared/http/api-handler';
import { ALL_CHAIRS, chairsOf, notificationsFor } from '#shared/notifications/notifications';
import { listPanels } from '#shared/panels/panel-store';
import { LEADING_ROLES } from '#shared/roles';

export const handler = apiHandler('listNotifications', async ({ principal }) => {
  const leads = LEADING_ROLES.some((role) => principal.roles.includes(role));
  const chaired = leads
    ? [
        ...(principal.roles.includes('panel_chair') ? [ALL_CHAIRS] : []),
        ...(await listPanels())
          .filter((p) => p.chairSubject === principal.subject)
          .map((p) => chairsOf(p.panelId)),
      ]
    : [];
  return { items: await notificationsFor([principal.subject, ...chaired]) };
});
