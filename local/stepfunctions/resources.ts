/**
 * The Task resources the local runtime can run, parsed from a Task state's `Resource` ARN. Anything this does
 * not recognise is refused when the definition is loaded: the interpreter's fallback for an unknown Task is to
 * call real AWS Lambda.
 */
import * as dynamodb from '@aws-sdk/client-dynamodb';
import * as s3 from '@aws-sdk/client-s3';

export type SdkService = 'dynamodb' | 's3';

export type TaskTarget =
  | { readonly kind: 'lambdaInvoke' }
  | { readonly kind: 'lambdaFunction'; readonly functionArn: string }
  | {
      readonly kind: 'sdk';
      readonly service: SdkService;
      readonly commandName: string;
      /** The prefix AWS puts on the service's error names (`DynamoDB.` optimized, `DynamoDb.` aws-sdk). */
      readonly errorPrefix: string;
    }
  | { readonly kind: 'startExecution'; readonly pattern: 'async' | 'sync' | 'sync:2' };

const SDK_MODULES: Record<SdkService, Record<string, unknown>> = { dynamodb, s3 };
const OPTIMIZED_DYNAMODB_ACTIONS = new Set(['putItem', 'getItem', 'updateItem', 'deleteItem', 'query']);

export function sdkCommand(service: SdkService, commandName: string): unknown {
  return SDK_MODULES[service][commandName];
}

function sdkTarget(service: SdkService, action: string, errorPrefix: string): TaskTarget | undefined {
  const commandName = `${action.charAt(0).toUpperCase()}${action.slice(1)}Command`;
  if (typeof sdkCommand(service, commandName) !== 'function') return undefined;
  return { kind: 'sdk', service, commandName, errorPrefix };
}

export function taskTarget(resource: string): TaskTarget | undefined {
  if (resource === 'arn:aws:states:::lambda:invoke') return { kind: 'lambdaInvoke' };
  if (/^arn:aws:lambda:[^:]+:\d{12}:function:[^:]+(:[^:]+)?$/.test(resource)) {
    return { kind: 'lambdaFunction', functionArn: resource };
  }
  const optimized = /^arn:aws:states:::dynamodb:(\w+)$/.exec(resource)?.[1];
  if (optimized && OPTIMIZED_DYNAMODB_ACTIONS.has(optimized))
    return sdkTarget('dynamodb', optimized, 'DynamoDB');
  const sdk = /^arn:aws:states:::aws-sdk:(dynamodb|s3):(\w+)$/.exec(resource);
  if (sdk?.[1] === 'dynamodb' && sdk[2]) return sdkTarget('dynamodb', sdk[2], 'DynamoDb');
  if (sdk?.[1] === 's3' && sdk[2]) return sdkTarget('s3', sdk[2], 'S3');
  const start = /^arn:aws:states:::states:startExecution(?:\.(sync(?::2)?))?$/.exec(resource);
  if (start)
    return { kind: 'startExecution', pattern: (start[1] as 'sync' | 'sync:2' | undefined) ?? 'async' };
  return undefined;
}
