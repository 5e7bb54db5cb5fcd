/**
 * The house state machine: Standard type, JSONPath, X-Ray tracing, and logging of every event to
 * a KMS-encrypted log group WITHOUT execution data, because state payloads can carry case data.
 */
import { type Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { ScrutineerFunction } from './scrutineer-function.ts';

export interface ScrutineerStateMachineProps {
  readonly definition: sfn.IChainable;
  readonly encryptionKey: kms.IKey;
  readonly timeout: Duration;
  readonly description: string;
  /** The functions its tasks invoke. */
  readonly invokes: readonly ScrutineerFunction[];
}

export class ScrutineerStateMachine extends Construct {
  readonly stateMachine: sfn.StateMachine;

  constructor(scope: Construct, id: string, props: ScrutineerStateMachineProps) {
    super(scope, id);
    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: logs.RetentionDays.ONE_YEAR,
      encryptionKey: props.encryptionKey,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.stateMachine = new sfn.StateMachine(this, 'Resource', {
      definitionBody: sfn.DefinitionBody.fromChainable(props.definition),
      stateMachineType: sfn.StateMachineType.STANDARD,
      queryLanguage: sfn.QueryLanguage.JSON_PATH,
      timeout: props.timeout,
      tracingEnabled: true,
      comment: props.description,
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
    });
    Validations.of(this.stateMachine.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'Log delivery and X-Ray actions support no resource-level permissions',
    });
    for (const fn of props.invokes) {
      const logicalId = Stack.of(this).getLogicalId(fn.function.node.defaultChild as lambda.CfnFunction);
      Validations.of(this.stateMachine.role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${logicalId}.Arn>:*]`,
        reason: 'CDK grants LambdaInvoke tasks every version of the one function they invoke',
      });
    }
  }
}
