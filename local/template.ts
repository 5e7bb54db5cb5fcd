/**
 * Turns a synthesized CloudFormation template into plain values the local runtime can use:
 * resolves Ref, Fn::GetAtt, Fn::Join, Fn::Sub, Fn::Select, Fn::Split and pseudo parameters the
 * way CloudFormation would for one local "account", so the state machine definitions, route
 * integrations and environment variables the runtime reads are the ones `cdk synth` produced.
 */

export const LOCAL_REGION = 'eu-west-2';
export const LOCAL_ACCOUNT = '000000000000';

export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly Metadata?: Record<string, unknown>;
}

export interface CfnTemplate {
  readonly Resources: Record<string, CfnResource>;
  readonly Parameters?: Record<string, { Default?: unknown }>;
  readonly Outputs?: Record<string, { Value: unknown }>;
}

export class TemplateResolutionError extends Error {
  override readonly name = 'TemplateResolutionError';
}

export interface ResolvedResource {
  readonly logicalId: string;
  readonly type: string;
  /** The resource's properties with every intrinsic function resolved. */
  readonly properties: Record<string, unknown>;
  readonly metadata: Record<string, unknown>;
}

export interface ResolvedTemplate {
  readonly region: string;
  readonly accountId: string;
  readonly resources: ReadonlyMap<string, ResolvedResource>;
  ofType(type: string): ResolvedResource[];
  /** The value `Ref` gives for a resource (a table name, a bucket name, a function name, ...). */
  refOf(logicalId: string): string;
  /** The value `Fn::GetAtt` gives for a resource attribute. */
  attributeOf(logicalId: string, attribute: string): string;
  /** Resolves any template fragment. */
  resolve(value: unknown): unknown;
}

const PSEUDO_PARAMETERS = (region: string, accountId: string): Record<string, string> => ({
  'AWS::Region': region,
  'AWS::AccountId': accountId,
  'AWS::Partition': 'aws',
  'AWS::URLSuffix': 'amazonaws.com',
  'AWS::StackName': 'scrutineer-local',
  'AWS::StackId': `arn:aws:cloudformation:${region}:${accountId}:stack/scrutineer-local/local`,
  'AWS::NoValue': '',
});

export function resolveTemplate(
  template: CfnTemplate,
  options: { region?: string; accountId?: string } = {},
): ResolvedTemplate {
  const region = options.region ?? LOCAL_REGION;
  const accountId = options.accountId ?? LOCAL_ACCOUNT;
  const pseudo = PSEUDO_PARAMETERS(region, accountId);
  const raw = template.Resources;

  const typeOf = (logicalId: string): string => {
    const resource = raw[logicalId];
    if (!resource) throw new TemplateResolutionError(`Reference to unknown resource "${logicalId}"`);
    return resource.Type;
  };
  const nameProperty = (logicalId: string, property: string): string | undefined => {
    const value = raw[logicalId]?.Properties?.[property];
    return value === undefined ? undefined : String(resolve(value));
  };

  const refOf = (logicalId: string): string => {
    if (logicalId in pseudo) return pseudo[logicalId] as string;
    const parameter = template.Parameters?.[logicalId];
    if (parameter) return String(parameter.Default ?? '');
    const type = typeOf(logicalId);
    switch (type) {
      case 'AWS::Lambda::Function':
        return nameProperty(logicalId, 'FunctionName') ?? logicalId;
      case 'AWS::DynamoDB::Table':
      case 'AWS::DynamoDB::GlobalTable':
        return nameProperty(logicalId, 'TableName') ?? logicalId;
      case 'AWS::S3::Bucket':
        // Bucket names must be lowercase, as CloudFormation's generated names are.
        return nameProperty(logicalId, 'BucketName') ?? logicalId.toLowerCase();
      case 'AWS::StepFunctions::StateMachine':
        return attributeOf(logicalId, 'Arn');
      case 'AWS::SQS::Queue':
        return `https://sqs.${region}.amazonaws.com/${accountId}/${logicalId}`;
      case 'AWS::SNS::Topic':
        return `arn:aws:sns:${region}:${accountId}:${logicalId}`;
      case 'AWS::Cognito::UserPool':
        return `${region}_${logicalId.slice(0, 9)}`;
      case 'AWS::Logs::LogGroup':
        return nameProperty(logicalId, 'LogGroupName') ?? logicalId;
      case 'AWS::Events::EventBus':
        return nameProperty(logicalId, 'Name') ?? logicalId;
      case 'AWS::IAM::Role':
        return nameProperty(logicalId, 'RoleName') ?? logicalId;
      case 'AWS::SecretsManager::Secret':
        return `arn:aws:secretsmanager:${region}:${accountId}:secret:${logicalId}-local`;
      default:
        return logicalId;
    }
  };

  const attributeOf = (logicalId: string, attribute: string): string => {
    const type = typeOf(logicalId);
    const arn = (service: string, resource: string) =>
      `arn:aws:${service}:${region}:${accountId}:${resource}`;
    switch (`${type}.${attribute}`) {
      case 'AWS::Lambda::Function.Arn':
        return arn('lambda', `function:${refOf(logicalId)}`);
      case 'AWS::DynamoDB::Table.Arn':
      case 'AWS::DynamoDB::GlobalTable.Arn':
        return arn('dynamodb', `table/${refOf(logicalId)}`);
      case 'AWS::DynamoDB::Table.StreamArn':
        return arn('dynamodb', `table/${refOf(logicalId)}/stream/local`);
      case 'AWS::S3::Bucket.Arn':
        return `arn:aws:s3:::${refOf(logicalId)}`;
      case 'AWS::S3::Bucket.DomainName':
      case 'AWS::S3::Bucket.RegionalDomainName':
        return `${refOf(logicalId)}.s3.${region}.amazonaws.com`;
      case 'AWS::StepFunctions::StateMachine.Arn':
        return arn('states', `stateMachine:${nameProperty(logicalId, 'StateMachineName') ?? logicalId}`);
      case 'AWS::StepFunctions::StateMachine.Name':
        return nameProperty(logicalId, 'StateMachineName') ?? logicalId;
      case 'AWS::KMS::Key.Arn':
        return arn('kms', `key/${logicalId}`);
      case 'AWS::SQS::Queue.Arn':
        return arn('sqs', logicalId);
      case 'AWS::SQS::Queue.QueueUrl':
        return refOf(logicalId);
      case 'AWS::IAM::Role.Arn':
        return `arn:aws:iam::${accountId}:role/${refOf(logicalId)}`;
      case 'AWS::Cognito::UserPool.Arn':
        return arn('cognito-idp', `userpool/${refOf(logicalId)}`);
      case 'AWS::Cognito::UserPool.ProviderURL':
        return `https://cognito-idp.${region}.amazonaws.com/${refOf(logicalId)}`;
      case 'AWS::ApiGatewayV2::Api.ApiEndpoint':
        return `https://${logicalId.toLowerCase()}.execute-api.${region}.amazonaws.com`;
      case 'AWS::Logs::LogGroup.Arn':
        return arn('logs', `log-group:${refOf(logicalId)}:*`);
      case 'AWS::Events::EventBus.Arn':
        return arn('events', `event-bus/${refOf(logicalId)}`);
      case 'AWS::Events::Rule.Arn':
        return arn('events', `rule/${logicalId}`);
      default:
        return `${logicalId}.${attribute}`;
    }
  };

  const substitute = (text: string, variables: Record<string, unknown>): string =>
    text.replace(/\$\{([^}!][^}]*)\}/g, (_match, name: string) => {
      if (name in variables) return String(resolve(variables[name]));
      const dot = name.indexOf('.');
      if (dot > 0 && !(name in pseudo)) return attributeOf(name.slice(0, dot), name.slice(dot + 1));
      return refOf(name);
    });

  const resolve = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(resolve);
    if (value === null || typeof value !== 'object') return value;
    const entries = Object.entries(value);
    const [first] = entries;
    if (entries.length === 1 && first) {
      const [key, argument] = first;
      switch (key) {
        case 'Ref':
          return refOf(String(argument));
        case 'Fn::GetAtt': {
          const [logicalId, attribute] = Array.isArray(argument)
            ? (argument as string[])
            : String(argument).split(/\.(.*)/s);
          return attributeOf(String(logicalId), String(attribute));
        }
        case 'Fn::Join': {
          const [separator, parts] = argument as [string, unknown[]];
          return (resolve(parts) as unknown[]).join(separator);
        }
        case 'Fn::Sub': {
          if (typeof argument === 'string') return substitute(argument, {});
          const [text, variables] = argument as [string, Record<string, unknown>];
          return substitute(text, variables);
        }
        case 'Fn::Select': {
          const [index, list] = argument as [unknown, unknown];
          return (resolve(list) as unknown[])[Number(resolve(index))];
        }
        case 'Fn::Split': {
          const [separator, text] = argument as [string, unknown];
          return String(resolve(text)).split(separator);
        }
        case 'Fn::ImportValue':
        case 'Fn::If':
        case 'Fn::FindInMap':
          throw new TemplateResolutionError(`${key} is not supported by the local runtime`);
      }
    }
    return Object.fromEntries(entries.map(([key, inner]) => [key, resolve(inner)]));
  };

  const resources = new Map<string, ResolvedResource>();
  for (const [logicalId, resource] of Object.entries(raw)) {
    resources.set(logicalId, {
      logicalId,
      type: resource.Type,
      properties: (resolve(resource.Properties ?? {}) as Record<string, unknown>) ?? {},
      metadata: resource.Metadata ?? {},
    });
  }

  return {
    region,
    accountId,
    resources,
    ofType: (type) => [...resources.values()].filter((resource) => resource.type === type),
    refOf,
    attributeOf,
    resolve,
  };
}
