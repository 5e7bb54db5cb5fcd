/**
 * Re-identification records: the original crime reference behind each pseudonymised one, sealed at
 * import so that an authorised person can pull the real file behind a sample's pick or a case, and
 * nobody else can. `REIDENT#<pseudonymised reference>` / `REIDENT`, one per crime, written once.
 *
 * Envelope encryption: each import chunk asks KMS for one data key under the re-identification key
 * (which only the revealing functions may decrypt with), seals each reference with AES-256-GCM
 * under it (the pseudonym as additional data, so a sealed reference cannot be moved to another
 * record), and keeps the KMS-encrypted data key beside it. The plaintext data key never leaves the
 * function's memory.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DecryptCommand, GenerateDataKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { BatchGetCommand, type BatchGetCommandOutput, PutCommand } from '@aws-sdk/lib-dynamodb';
import { documents } from '../aws-clients.ts';
import { ENV, mainTable, requireEnv } from '../environment.ts';

const kms = new KMSClient({});
const ENCRYPTION_CONTEXT = { purpose: 'scrutineer-reidentification' };
const BATCH_GET_LIMIT = 100;

const reidentificationKey = (crimeReference: string) => ({ pk: `REIDENT#${crimeReference}`, sk: 'REIDENT' });

export interface ReferencePair {
  /** The pseudonymised crime reference, as stored on the decision. */
  readonly crimeReference: string;
  /** The reference as the force wrote it. */
  readonly original: string;
}

/** Seals each crime's original reference, once per crime (a retried chunk writes nothing new). */
export async function sealReferences(pairs: readonly ReferencePair[], at: string): Promise<void> {
  const unique = [...new Map(pairs.map((pair) => [pair.crimeReference, pair])).values()];
  if (unique.length === 0) return;
  const dataKey = await kms.send(
    new GenerateDataKeyCommand({
      KeyId: requireEnv(ENV.reidentificationKey),
      KeySpec: 'AES_256',
      EncryptionContext: ENCRYPTION_CONTEXT,
    }),
  );
  if (!dataKey.Plaintext || !dataKey.CiphertextBlob) throw new Error('KMS returned no data key');
  const key = Buffer.from(dataKey.Plaintext);
  const encryptedKey = Buffer.from(dataKey.CiphertextBlob).toString('base64');
  try {
    for (const { crimeReference, original } of unique) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(crimeReference, 'utf8'));
      const sealed = Buffer.concat([cipher.update(original, 'utf8'), cipher.final(), cipher.getAuthTag()]);
      await documents
        .send(
          new PutCommand({
            TableName: mainTable(),
            Item: {
              ...reidentificationKey(crimeReference),
              // Not `crimeReference`: that attribute keys the byCrime index of decisions.
              pseudonym: crimeReference,
              encryptedKey,
              iv: iv.toString('base64'),
              sealed: sealed.toString('base64'),
              sealedAt: at,
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        )
        .catch((error) => {
          if (!(error instanceof ConditionalCheckFailedException)) throw error;
        });
    }
  } finally {
    key.fill(0);
  }
}

/** The original references of these pseudonymised ones; a crime imported before sealing has none. */
export async function revealReferences(crimeReferences: readonly string[]): Promise<Map<string, string>> {
  const wanted = [...new Set(crimeReferences)];
  const items: Record<string, unknown>[] = [];
  for (let start = 0; start < wanted.length; start += BATCH_GET_LIMIT) {
    let keys: Record<string, unknown>[] | undefined = wanted
      .slice(start, start + BATCH_GET_LIMIT)
      .map(reidentificationKey);
    while (keys && keys.length > 0) {
      const answer: BatchGetCommandOutput = await documents.send(
        new BatchGetCommand({ RequestItems: { [mainTable()]: { Keys: keys, ConsistentRead: true } } }),
      );
      items.push(...(answer.Responses?.[mainTable()] ?? []));
      keys = answer.UnprocessedKeys?.[mainTable()]?.Keys;
    }
  }
  const dataKeys = new Map<string, Promise<Buffer>>();
  const dataKey = (encryptedKey: string) => {
    let key = dataKeys.get(encryptedKey);
    if (!key) {
      key = kms
        .send(
          new DecryptCommand({
            CiphertextBlob: Buffer.from(encryptedKey, 'base64'),
            EncryptionContext: ENCRYPTION_CONTEXT,
          }),
        )
        .then(({ Plaintext }) => Buffer.from(Plaintext ?? new Uint8Array()));
      dataKeys.set(encryptedKey, key);
    }
    return key;
  };
  const revealed = new Map<string, string>();
  for (const item of items) {
    const crimeReference = String(item.pseudonym);
    const sealed = Buffer.from(String(item.sealed), 'base64');
    const decipher = createDecipheriv(
      'aes-256-gcm',
      await dataKey(String(item.encryptedKey)),
      Buffer.from(String(item.iv), 'base64'),
    );
    decipher.setAAD(Buffer.from(crimeReference, 'utf8'));
    decipher.setAuthTag(sealed.subarray(-16));
    revealed.set(
      crimeReference,
      Buffer.concat([decipher.update(sealed.subarray(0, -16)), decipher.final()]).toString('utf8'),
    );
  }
  for (const key of dataKeys.values()) (await key).fill(0);
  return revealed;
}
