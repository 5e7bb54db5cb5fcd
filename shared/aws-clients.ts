/**
 * AWS clients, created once per process. Endpoints come from the standard environment
 * (`AWS_ENDPOINT_URL_DYNAMODB`, `AWS_ENDPOINT_URL_S3`, `AWS_ENDPOINT_URL_SFN`, …), so the same code
 * talks to AWS or to the local stand-ins; nothing here knows which.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

const customS3Endpoint = Boolean(process.env.AWS_ENDPOINT_URL_S3 ?? process.env.AWS_ENDPOINT_URL);

export const dynamodb = new DynamoDBClient({});

export const documents = DynamoDBDocumentClient.from(dynamodb, {
  marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
});

export const s3 = new S3Client({
  // A custom endpoint has no virtual-host DNS, and S3-compatible stand-ins mishandle the
  // aws-chunked framing of streamed bodies that default checksums add.
  forcePathStyle: customS3Endpoint,
  ...(customS3Endpoint
    ? { requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' }
    : {}),
});

export const stepFunctions = new SFNClient({});

export const eventBridge = new EventBridgeClient({});
