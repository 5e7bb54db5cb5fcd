/**
 * The people who have signed in to Scrutineer, as their identity token described them the last
 * time it changed: `PERSON#<subject>` / `PERSON`. Written when someone asks who they are
 * (`GET /me`, which the CLI and the web application call on sign-in), so that an admin names a
 * chair among people who exist and hold the role, whichever identity provider the force uses.
 * Staff details only (subject, name, roles): never case data.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { documents } from '../aws-clients.ts';
import { mainTable } from '../environment.ts';
import type { Principal } from '../http/principal.ts';
import { ROLES } from '../roles.ts';

export const PersonSchema = z.object({
  subject: z.string(),
  name: z.string().optional(),
  roles: z.array(z.enum(ROLES)),
  firstSeenAt: z.iso.datetime(),
  /** When the roles or the name were last seen to change. */
  changedAt: z.iso.datetime(),
});
export type Person = z.infer<typeof PersonSchema>;

const personKey = (subject: string) => ({ pk: `PERSON#${subject}`, sk: 'PERSON' });

/** What a sign-in says of a person; the record is written only when it differs. */
const signatureOf = (principal: Principal) =>
  `${[...principal.roles].sort().join(',')}|${principal.name ?? ''}`;

/** Records the person as signed in; a second sign-in with the same roles and name writes nothing. */
export async function recordSignIn(principal: Principal, now = new Date()): Promise<void> {
  const at = now.toISOString();
  try {
    await documents.send(
      new UpdateCommand({
        TableName: mainTable(),
        Key: personKey(principal.subject),
        UpdateExpression: `SET subject = :subject, #roles = :roles, signature = :signature, changedAt = :at, firstSeenAt = if_not_exists(firstSeenAt, :at) ${principal.name === undefined ? 'REMOVE #name' : ', #name = :name'}`,
        ConditionExpression: 'attribute_not_exists(pk) OR signature <> :signature',
        ExpressionAttributeNames: { '#roles': 'roles', '#name': 'name' },
        ExpressionAttributeValues: {
          ':subject': principal.subject,
          ':roles': [...principal.roles].sort(),
          ':signature': signatureOf(principal),
          ':at': at,
          ...(principal.name === undefined ? {} : { ':name': principal.name }),
        },
      }),
    );
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
}

/** The person with this subject, as last seen signing in; undefined for someone never seen. */
export async function findPerson(subject: string): Promise<Person | undefined> {
  const { Item } = await documents.send(new GetCommand({ TableName: mainTable(), Key: personKey(subject) }));
  return Item ? PersonSchema.parse(Item) : undefined;
}
