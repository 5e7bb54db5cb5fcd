/**
 * The house Lambda function. Defaults: the current Node.js runtime on arm64, bundles built for
 * Node 20 syntax (so the same code runs in the local runtime), ESM, source maps, X-Ray tracing,
 * its own KMS-encrypted log group with a retention period, and its own role that starts empty.
 * Permissions come only through the `bind*`/`allow*` helpers, which pair each environment
 * variable with the narrowest grant and never use a wildcard action.
 *
 * The source entry is recorded in the resource metadata so the local runtime can run the same
 * handler module the bundle was built from.
 */
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { EnvName } from '../../shared/environment.ts';
import type { DataTable } from './data-tables.ts';

export const ENTRY_METADATA = 'scrutineer:entry';
export const HANDLER_METADATA = 'scrutineer:handler';
const PROJECT_ROOT = new URL('../../', import.meta.url).pathname;

export interface ScrutineerFunctionProps {
  /** Handler module relative to the project root, e.g. `functions/api/get-import.ts`. */
  readonly entry: string;
  readonly description: string;
  readonly encryptionKey: kms.IKey;
  readonly timeout?: Duration;
  readonly memorySize?: number;
  readonly environment?: Readonly<Partial<Record<EnvName, string>>>;
  /** A log group shared with functions of the same kind (the API's routes); its own otherwise. */
  readonly logGroup?: logs.ILogGroup;
}

/** Where functions log: encrypted with the stack's key, kept six months. */
export function functionLogGroup(scope: Construct, id: string, encryptionKey: kms.IKey): logs.LogGroup {
  return new logs.LogGroup(scope, id, {
    retention: logs.RetentionDays.SIX_MONTHS,
    encryptionKey,
    removalPolicy: RemovalPolicy.RETAIN,
  });
}

export class ScrutineerFunction extends Construct {
  readonly function: nodejs.NodejsFunction;
  readonly role: iam.Role;
  private readonly policy = new iam.PolicyDocument();
  private readonly encryptionKey: kms.IKey;

  constructor(scope: Construct, id: string, props: ScrutineerFunctionProps) {
    super(scope, id);
    this.encryptionKey = props.encryptionKey;
    const logGroup = props.logGroup ?? functionLogGroup(this, 'Logs', props.encryptionKey);
    // The role's permissions are one inline policy, added to as the function is bound to what it
    // touches: a separate policy resource per function would cost a resource each (a stack holds 500).
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Runs ${props.entry}`,
      inlinePolicies: { Access: this.policy },
    });
    this.function = new nodejs.NodejsFunction(this, 'Function', {
      entry: `${PROJECT_ROOT}${props.entry}`,
      handler: 'handler',
      description: props.description,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(10),
      tracing: lambda.Tracing.ACTIVE,
      logGroup,
      // Everything the function may do is in the inline policy, X-Ray's two actions included.
      role: this.role.withoutPolicyUpdates(),
      environment: { NODE_OPTIONS: '--enable-source-maps', ...props.environment },
      bundling: {
        format: nodejs.OutputFormat.ESM,
        target: 'node20',
        minify: true,
        sourceMap: true,
        mainFields: ['module', 'main'],
        // ESM bundles of CommonJS dependencies need a require().
        banner: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);",
      },
    });
    const cfn = this.function.node.defaultChild as lambda.CfnFunction;
    cfn.addMetadata(ENTRY_METADATA, props.entry);
    cfn.addMetadata(HANDLER_METADATA, 'handler');
    this.policy.addStatements(
      new iam.PolicyStatement({
        actions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'],
        resources: ['*'],
      }),
    );
    // Writing its own logs, to its group only.
    this.policy.addStatements(
      new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logGroup.logGroupArn],
      }),
    );
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'X-Ray tracing: xray:PutTraceSegments and PutTelemetryRecords support no resource-level permissions',
    });
  }

  get functionArn(): string {
    return this.function.functionArn;
  }

  setEnvironment(name: EnvName, value: string): void {
    this.function.addEnvironment(name, value);
  }

  /** Reads items and queries the table's indexes. */
  bindTableReader(table: DataTable, name: EnvName): void {
    this.setEnvironment(name, table.table.tableName);
    this.policy.addStatements(
      new iam.PolicyStatement({
        actions: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'],
        resources: [table.table.tableArn, ...table.indexArns()],
      }),
    );
    this.allowKey(['kms:Decrypt', 'kms:DescribeKey']);
  }

  /** Reads, and creates or updates items (never deletes). */
  bindTableWriter(table: DataTable, name: EnvName): void {
    this.bindTableReader(table, name);
    this.policy.addStatements(
      new iam.PolicyStatement({
        // A transaction needs the action of each of its items: puts, updates and condition checks.
        actions: [
          'dynamodb:PutItem',
          'dynamodb:UpdateItem',
          'dynamodb:ConditionCheckItem',
          'dynamodb:BatchWriteItem',
        ],
        resources: [table.table.tableArn],
      }),
    );
    this.allowKey(['kms:Encrypt', 'kms:GenerateDataKey']);
  }

  /** Appends items only: PutItem guarded by a condition in code, no update or delete. */
  bindTableAppender(table: DataTable, name: EnvName): void {
    this.setEnvironment(name, table.table.tableName);
    this.policy.addStatements(
      new iam.PolicyStatement({ actions: ['dynamodb:PutItem'], resources: [table.table.tableArn] }),
    );
    this.allowKey(['kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey']);
  }

  /** Object-level access under the given key prefix of a bucket. */
  bindBucket(
    bucket: s3.IBucket,
    name: EnvName,
    access: { read?: boolean; write?: boolean; delete?: boolean; list?: boolean; prefix?: string },
  ): void {
    this.setEnvironment(name, bucket.bucketName);
    if (access.list) {
      // Listing (and telling a missing object from a forbidden one) only under the prefix.
      this.policy.addStatements(
        new iam.PolicyStatement({
          actions: ['s3:ListBucket'],
          resources: [bucket.bucketArn],
          conditions: { StringLike: { 's3:prefix': [`${access.prefix ?? ''}*`] } },
        }),
      );
    }
    const actions = [
      ...(access.read ? ['s3:GetObject'] : []),
      ...(access.write ? ['s3:PutObject', 's3:AbortMultipartUpload'] : []),
      ...(access.delete ? ['s3:DeleteObject'] : []),
    ];
    this.policy.addStatements(
      new iam.PolicyStatement({ actions, resources: [bucket.arnForObjects(`${access.prefix ?? ''}*`)] }),
    );
    this.allowKey([
      ...(access.read ? ['kms:Decrypt'] : []),
      ...(access.write ? ['kms:Encrypt', 'kms:GenerateDataKey', 'kms:Decrypt'] : []),
    ]);
    Validations.of(this.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${Stack.of(bucket).getLogicalId(bucket.node.defaultChild as s3.CfnBucket)}.Arn>/${access.prefix ?? ''}*]`,
      reason: 'Object keys are generated per record under this prefix; access is scoped to the prefix',
    });
  }

  /** Reads one secret's value. */
  bindSecret(secret: secretsmanager.ISecret, name: EnvName): void {
    this.setEnvironment(name, secret.secretArn);
    this.policy.addStatements(
      new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [secret.secretArn] }),
    );
    this.allowKey(['kms:Decrypt']);
  }

  /** Publishes to one event bus. */
  bindEventBus(bus: events.IEventBus, name: EnvName): void {
    this.setEnvironment(name, bus.eventBusName);
    this.policy.addStatements(
      new iam.PolicyStatement({ actions: ['events:PutEvents'], resources: [bus.eventBusArn] }),
    );
    this.allowKey(['kms:Encrypt', 'kms:GenerateDataKey']);
  }

  /**
   * Uses a KMS key of its own for envelope encryption, named in `name`: `seal` makes data keys
   * (GenerateDataKey), `open` decrypts them (Decrypt).
   */
  bindEnvelopeKey(key: kms.IKey, name: EnvName, use: { seal?: boolean; open?: boolean }): void {
    this.setEnvironment(name, key.keyArn);
    this.policy.addStatements(
      new iam.PolicyStatement({
        actions: [...(use.seal ? ['kms:GenerateDataKey'] : []), ...(use.open ? ['kms:Decrypt'] : [])],
        resources: [key.keyArn],
      }),
    );
  }

  bindStateMachineStarter(stateMachine: sfn.IStateMachine, name: EnvName): void {
    this.setEnvironment(name, stateMachine.stateMachineArn);
    this.policy.addStatements(
      new iam.PolicyStatement({
        actions: ['states:StartExecution'],
        resources: [stateMachine.stateMachineArn],
      }),
    );
  }

  private readonly keyActions = new Set<string>();
  private keyStatement?: iam.PolicyStatement;

  private allowKey(actions: readonly string[]): void {
    const fresh = actions.filter((action) => !this.keyActions.has(action));
    if (fresh.length === 0) return;
    for (const action of fresh) this.keyActions.add(action);
    if (!this.keyStatement) {
      this.keyStatement = new iam.PolicyStatement({ resources: [this.encryptionKey.keyArn] });
      this.policy.addStatements(this.keyStatement);
    }
    this.keyStatement.addActions(...fresh);
  }
}
