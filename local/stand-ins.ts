/**
 * DynamoDB (AWS's DynamoDB Local) and S3 (s3rver) stand-ins that speak the real wire protocols,
 * keeping their data on disk, with the tables and buckets the synthesized template declares.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import {
  type AttributeDefinition,
  CreateTableCommand,
  DynamoDBClient,
  type GlobalSecondaryIndex,
  type KeySchemaElement,
  ListTablesCommand,
} from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { startDynamoDbLocal } from './dynamodb-local.ts';
import type { ResolvedTemplate } from './template.ts';

export const LOCAL_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

export interface StandIns {
  readonly dynamodbEndpoint: string;
  readonly s3Endpoint: string;
  readonly dynamodb: DynamoDBClient;
  readonly s3: S3Client;
  close(): Promise<void>;
}

export async function startStandIns(options: {
  dataDir: string;
  region: string;
  dynamodbPort?: number;
  s3Port?: number;
}): Promise<StandIns> {
  const dynamoDir = path.join(options.dataDir, 'dynamodb-local');
  if (existsSync(path.join(options.dataDir, 'dynamodb')) && !existsSync(dynamoDir)) {
    // The tables of an earlier version's stand-in (dynalite) cannot be read by DynamoDB Local.
    throw new Error(
      `${options.dataDir} holds data from an earlier version of the local runtime; delete the folder to start again with fresh demo data`,
    );
  }
  const s3Dir = path.join(options.dataDir, 's3');
  await mkdir(s3Dir, { recursive: true });

  const dynamoServer = await startDynamoDbLocal({
    dataDir: dynamoDir,
    ...(options.dynamodbPort ? { port: options.dynamodbPort } : {}),
  });
  const dynamodbEndpoint = dynamoServer.endpoint;

  const s3Server = new S3rver({
    address: '127.0.0.1',
    port: options.s3Port ?? 0,
    directory: s3Dir,
    silent: true,
    configureBuckets: [],
  });
  const { port: s3Port } = await s3Server.run();
  const s3Endpoint = `http://127.0.0.1:${s3Port}`;

  const credentials = LOCAL_CREDENTIALS;
  const dynamodb = new DynamoDBClient({ endpoint: dynamodbEndpoint, region: options.region, credentials });
  const s3 = new S3Client({
    endpoint: s3Endpoint,
    region: options.region,
    credentials,
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  return {
    dynamodbEndpoint,
    s3Endpoint,
    dynamodb,
    s3,
    close: async () => {
      dynamodb.destroy();
      s3.destroy();
      await s3Server.close();
      await dynamoServer.close();
    },
  };
}

interface TableProperties {
  KeySchema: KeySchemaElement[];
  AttributeDefinitions: AttributeDefinition[];
  GlobalSecondaryIndexes?: GlobalSecondaryIndex[];
}

/**
 * Creates every table and bucket of the template that does not exist yet. Only the shape is
 * taken (keys, indexes); encryption, recovery and retention are AWS properties, checked in the
 * infrastructure tests, and not claimed locally.
 */
export async function provisionFromTemplate(
  template: ResolvedTemplate,
  standIns: StandIns,
): Promise<string[]> {
  const created: string[] = [];
  const { TableNames = [] } = await standIns.dynamodb.send(new ListTablesCommand({}));
  for (const resource of template.ofType('AWS::DynamoDB::Table')) {
    const tableName = template.refOf(resource.logicalId);
    if (TableNames.includes(tableName)) continue;
    const properties = resource.properties as unknown as TableProperties;
    await standIns.dynamodb.send(
      new CreateTableCommand({
        TableName: tableName,
        KeySchema: properties.KeySchema,
        AttributeDefinitions: properties.AttributeDefinitions,
        BillingMode: 'PAY_PER_REQUEST',
        ...(properties.GlobalSecondaryIndexes
          ? {
              GlobalSecondaryIndexes: properties.GlobalSecondaryIndexes.map((index) => ({
                IndexName: index.IndexName,
                KeySchema: index.KeySchema,
                Projection: index.Projection,
              })),
            }
          : {}),
      }),
    );
    created.push(`table ${tableName}`);
  }
  const { Buckets = [] } = await standIns.s3.send(new ListBucketsCommand({}));
  const existing = new Set(Buckets.map((bucket) => bucket.Name));
  for (const resource of template.ofType('AWS::S3::Bucket')) {
    const bucketName = template.refOf(resource.logicalId);
    if (existing.has(bucketName)) continue;
    await standIns.s3.send(new CreateBucketCommand({ Bucket: bucketName }));
    created.push(`bucket ${bucketName}`);
  }
  return created;
}
