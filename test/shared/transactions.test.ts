/** The transaction helper against DynamoDB Local: all or nothing, refusals named, retries idempotent. */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DynamoDbLocal, startDynamoDbLocal } from '../../local/dynamodb-local.ts';

const TABLE = 'transactions-test';
let dataDir: string;
let local: DynamoDbLocal;
let helpers: typeof import('../../shared/data/transactions.ts');
let documents: typeof import('../../shared/aws-clients.ts').documents;
let GetCommand: typeof import('@aws-sdk/lib-dynamodb').GetCommand;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'scrutineer-tx-'));
  local = await startDynamoDbLocal({ dataDir });
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_DYNAMODB: local.endpoint,
    AWS_REGION: 'eu-west-2',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
  });
  const client = new DynamoDBClient({});
  await client.send(
    new CreateTableCommand({
      TableName: TABLE,
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  client.destroy();
  helpers = await import('../../shared/data/transactions.ts');
  ({ documents } = await import('../../shared/aws-clients.ts'));
  ({ GetCommand } = await import('@aws-sdk/lib-dynamodb'));
}, 120_000);

afterAll(async () => {
  await local?.close();
  await rm(dataDir, { recursive: true, force: true });
});

const get = async (pk: string) =>
  (await documents.send(new GetCommand({ TableName: TABLE, Key: { pk, sk: 'X' } }))).Item;

const claim = (pk: string, owner: string) => ({
  label: pk,
  item: {
    Put: {
      TableName: TABLE,
      Item: { pk, sk: 'X', owner },
      ConditionExpression: 'attribute_not_exists(pk)',
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
    },
  },
});

const bump = (pk: string) => ({
  label: `${pk}:count`,
  item: {
    Update: {
      TableName: TABLE,
      Key: { pk, sk: 'X' },
      UpdateExpression: 'ADD #count :one',
      ExpressionAttributeNames: { '#count': 'count' },
      ExpressionAttributeValues: { ':one': 1 },
    },
  },
});

describe('transactWrite', () => {
  it('writes every item or none, naming the item whose condition failed with what it holds', async () => {
    await helpers.transactWrite([claim('a', 'first')]);
    const refusal = await helpers.transactWrite([claim('b', 'second'), claim('a', 'second')]).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refusal).toBeInstanceOf(helpers.TransactionRefused);
    const refused = refusal as InstanceType<typeof helpers.TransactionRefused>;
    expect(refused.failed).toEqual(['a']);
    expect(refused.stored.get('a')).toMatchObject({ pk: 'a', owner: 'first' });
    expect(await get('b')).toBeUndefined();
  });

  it('applies the same change sent twice once (the idempotency token), and a different one again', async () => {
    await helpers.transactWrite([bump('counter')]);
    await helpers.transactWrite([bump('counter')]);
    expect((await get('counter'))?.count).toBe(1);
    await helpers.transactWrite([bump('counter'), claim('other', 'x')]);
    expect((await get('counter'))?.count).toBe(2);
  });

  it('lets exactly one of 50 concurrent claims of one item win, every time', async () => {
    for (let round = 0; round < 20; round += 1) {
      const results = await Promise.allSettled(
        Array.from({ length: 50 }, (_, i) =>
          helpers.transactWrite([claim(`contested-${round}`, `writer-${i}`), bump(`tally-${round}-${i}`)]),
        ),
      );
      const won = results.filter((result) => result.status === 'fulfilled');
      const lost = results.filter((result) => result.status === 'rejected');
      expect(won).toHaveLength(1);
      for (const result of lost) {
        expect((result as PromiseRejectedResult).reason).toBeInstanceOf(helpers.TransactionRefused);
      }
    }
  });

  it('refuses more than 100 items: such a change is a resumable sequence, not one transaction', async () => {
    const items = Array.from({ length: 101 }, (_, i) => bump(`many-${i}`));
    await expect(helpers.transactWrite(items)).rejects.toThrow(/at most 100/);
  });
});
