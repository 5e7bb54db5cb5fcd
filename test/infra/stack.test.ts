import { App } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/app.ts';
import { ROUTE_IDS, ROUTES, routeKey } from '../../shared/api/routes.ts';
import { ROLES } from '../../shared/roles.ts';
import { synthesizeStack } from './synth.ts';

const { template, json } = synthesizeStack();
const resources = (type: string) =>
  Object.entries(json.Resources).filter(([, resource]) => resource.Type === type);

interface PolicyDocument {
  Statement: { Action: string | string[]; Resource: unknown; Condition?: unknown }[];
}
/**
 * Every IAM policy of the stack with the roles it is on: the functions' roles carry theirs inline,
 * the state machines' roles as separate policy resources.
 */
const policies = (): { id: string; roles: string; document: PolicyDocument }[] => [
  ...resources('AWS::IAM::Policy').map(([id, policy]) => ({
    id,
    roles: JSON.stringify(policy.Properties.Roles),
    document: policy.Properties.PolicyDocument as PolicyDocument,
  })),
  ...resources('AWS::IAM::Role').flatMap(([id, role]) =>
    ((role.Properties.Policies ?? []) as { PolicyDocument: PolicyDocument }[]).map((policy) => ({
      id,
      roles: JSON.stringify([{ Ref: id }]),
      document: policy.PolicyDocument,
    })),
  ),
];

describe('encryption', () => {
  it('uses one customer-managed key with rotation', () => {
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  it('encrypts every table, log group and bucket with it (access logs excepted, which S3 requires)', () => {
    for (const [, table] of resources('AWS::DynamoDB::Table')) {
      expect(table.Properties.SSESpecification).toMatchObject({ SSEEnabled: true, SSEType: 'KMS' });
    }
    for (const [id, group] of resources('AWS::Logs::LogGroup')) {
      expect(group.Properties.KmsKeyId, id).toBeDefined();
    }
    for (const [id, bucket] of resources('AWS::S3::Bucket')) {
      const rule = (
        bucket.Properties.BucketEncryption as {
          ServerSideEncryptionConfiguration: { ServerSideEncryptionByDefault: { SSEAlgorithm: string } }[];
        }
      ).ServerSideEncryptionConfiguration[0]?.ServerSideEncryptionByDefault.SSEAlgorithm;
      expect(rule, id).toBe(id.includes('AccessLogs') ? 'AES256' : 'aws:kms');
    }
  });
});

describe('data stores', () => {
  it('keeps tables recoverable and undeletable', () => {
    for (const [id, table] of resources('AWS::DynamoDB::Table')) {
      expect(table.Properties.PointInTimeRecoverySpecification, id).toEqual({
        PointInTimeRecoveryEnabled: true,
      });
      expect(table.Properties.DeletionProtectionEnabled, id).toBe(true);
    }
  });

  it('blocks public access, refuses plain HTTP and logs access on every case-data bucket', () => {
    for (const [id, bucket] of resources('AWS::S3::Bucket')) {
      expect(bucket.Properties.PublicAccessBlockConfiguration, id).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      if (!id.includes('AccessLogs')) expect(bucket.Properties.LoggingConfiguration, id).toBeDefined();
    }
    const policies = resources('AWS::S3::BucketPolicy');
    expect(policies).toHaveLength(resources('AWS::S3::Bucket').length);
    for (const [, policy] of policies) {
      expect(JSON.stringify(policy.Properties)).toContain('"aws:SecureTransport":"false"');
    }
  });

  it('locks evidence packs in governance mode, versioned', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      VersioningConfiguration: { Status: 'Enabled' },
      ObjectLockEnabled: true,
      ObjectLockConfiguration: {
        ObjectLockEnabled: 'Enabled',
        Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 2555 } },
      },
    });
  });
});

describe('the audit log', () => {
  it('is its own table, which no role can update or delete from', () => {
    const auditTable = resources('AWS::DynamoDB::Table').find(([id]) => id.startsWith('TablesAudit'));
    expect(auditTable).toBeDefined();
    const auditId = (auditTable as [string, unknown])[0];
    const writers = new Set<string>();
    for (const policy of policies()) {
      const statements = policy.document.Statement;
      for (const statement of statements) {
        if (!JSON.stringify(statement.Resource).includes(auditId)) continue;
        const actions = [statement.Action].flat();
        for (const forbidden of [
          'dynamodb:UpdateItem',
          'dynamodb:DeleteItem',
          'dynamodb:BatchWriteItem',
          'dynamodb:PartiQLUpdate',
        ]) {
          expect(actions).not.toContain(forbidden);
        }
        if (actions.includes('dynamodb:PutItem')) writers.add(policy.roles);
      }
    }
    expect(writers.size).toBeGreaterThan(0);
  });
});

describe('the main table', () => {
  it('is written by roles that can take part in a transaction (put, update, condition check), never delete', () => {
    const mainTable = resources('AWS::DynamoDB::Table').find(([id]) => id.startsWith('TablesMain'));
    expect(mainTable).toBeDefined();
    const mainId = (mainTable as [string, unknown])[0];
    let writers = 0;
    for (const policy of policies()) {
      const statements = policy.document.Statement;
      for (const statement of statements) {
        if (!JSON.stringify(statement.Resource).includes(mainId)) continue;
        const actions = [statement.Action].flat();
        expect(actions).not.toContain('dynamodb:DeleteItem');
        if (!actions.includes('dynamodb:PutItem')) continue;
        writers += 1;
        expect(actions).toEqual(
          expect.arrayContaining(['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:ConditionCheckItem']),
        );
      }
    }
    expect(writers).toBeGreaterThan(5);
  });
});

describe('asynchronous invocations', () => {
  it('have a KMS-encrypted dead-letter queue and retries on every scheduled target', () => {
    const rules = resources('AWS::Events::Rule');
    expect(rules.length).toBeGreaterThan(0);
    for (const [id, rule] of rules) {
      for (const target of rule.Properties.Targets as Record<string, unknown>[]) {
        expect(target.DeadLetterConfig, id).toHaveProperty('Arn');
        expect(target.RetryPolicy, id).toMatchObject({ MaximumRetryAttempts: 3 });
      }
    }
    for (const [id, queue] of resources('AWS::SQS::Queue'))
      expect(queue.Properties.KmsMasterKeyId, id).toBeDefined();
  });
});

describe('state machines', () => {
  it('log every event without execution data, and trace', () => {
    const machines = resources('AWS::StepFunctions::StateMachine');
    expect(machines.length).toBeGreaterThan(0);
    for (const [id, machine] of machines) {
      expect(machine.Properties.LoggingConfiguration, id).toMatchObject({
        Level: 'ALL',
        IncludeExecutionData: false,
      });
      expect(machine.Properties.TracingConfiguration, id).toEqual({ Enabled: true });
    }
  });
});

describe('functions', () => {
  const statementsOf = (roleLogicalId: string) =>
    policies()
      .filter((policy) => policy.roles.includes(roleLogicalId))
      .flatMap((policy) => policy.document.Statement);

  /** The role of the function whose logical id starts with the prefix; a typo fails rather than matching nothing. */
  const roleOf = (prefix: string): string => {
    const fn = resources('AWS::Lambda::Function').find(([id]) => id.startsWith(prefix));
    if (!fn) throw new Error(`No function ${prefix}…`);
    return (fn[1].Properties.Role as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0] as string;
  };

  it('each has its own role, and no role allows a wildcard action', () => {
    const roles = resources('AWS::Lambda::Function').map(([, fn]) => JSON.stringify(fn.Properties.Role));
    expect(new Set(roles).size).toBe(roles.length);
    for (const policy of policies()) {
      const statements = policy.document.Statement;
      for (const statement of statements) {
        for (const action of [statement.Action].flat()) expect(action).not.toMatch(/\*/);
      }
    }
    for (const [, role] of resources('AWS::IAM::Role'))
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
  });

  it('grants a read-only route no write, and the import starter only its own state machine', () => {
    const onMainTable = statementsOf(roleOf('HttpRoutegetImport'))
      .filter((statement) => JSON.stringify(statement.Resource).includes('TablesMain'))
      .flatMap((statement) => [statement.Action].flat());
    expect(onMainTable).toEqual(expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:Query']));
    expect(onMainTable).not.toContain('dynamodb:PutItem');
    const startActions = statementsOf(roleOf('HttpRoutestartImport')).flatMap((s) => [s.Action].flat());
    expect(startActions).toContain('states:StartExecution');
    expect(
      statementsOf(roleOf('HttpRoutegetHealth'))
        .flatMap((s) => [s.Action].flat())
        .sort(),
    ).toEqual([
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      'xray:PutTelemetryRecords',
      'xray:PutTraceSegments',
    ]);
  });

  it('never delete evidence, and list or write it only under their own prefix', () => {
    const onEvidence = (prefix: string) =>
      statementsOf(roleOf(prefix)).filter((statement) =>
        JSON.stringify(statement).includes('StorageEvidence'),
      );
    for (const policy of policies()) {
      expect(JSON.stringify(policy.document)).not.toMatch(
        /s3:PutObjectRetention|s3:BypassGovernanceRetention|s3:DeleteObjectVersion/,
      );
      // Deleting is for case files alone (working copies), and only under their prefix.
      for (const statement of policy.document.Statement) {
        const text = JSON.stringify(statement);
        if (text.includes('s3:DeleteObject')) {
          expect(text).toContain('StorageCaseFiles');
          expect(text).toContain('/case-files/*');
          expect(text).not.toContain('StorageEvidence');
        }
      }
    }
    const deleters = policies().filter((policy) =>
      JSON.stringify(policy.document).includes('s3:DeleteObject'),
    );
    expect(deleters.map((policy) => policy.id)).toEqual([expect.stringContaining('HttpRoutedeleteCaseFile')]);
    // And a removed case file leaves no earlier version behind.
    const [[, caseFiles] = []] = resources('AWS::S3::Bucket').filter(([logicalId]) =>
      logicalId.includes('StorageCaseFiles'),
    );
    expect(caseFiles?.Properties.VersioningConfiguration).toBeUndefined();
    const packWriter = onEvidence('ConcludeCaseWriteCasePackFunction');
    expect(JSON.stringify(packWriter)).toContain('/packs/cases/*');
    expect(packWriter.find((statement) => [statement.Action].flat().includes('s3:ListBucket'))).toMatchObject(
      {
        Condition: { StringLike: { 's3:prefix': ['packs/cases/*'] } },
      },
    );
    // Case files are working copies: never in the evidence bucket, whose Object Lock would keep a
    // file uploaded unredacted by mistake for years.
    expect(onEvidence('HttpRoutecreateCaseFileUpload')).toEqual([]);
    expect(onEvidence('HttpRoutegetAssignedCase')).toEqual([]);
    const reader = onEvidence('HttpRoutegetCasePack');
    expect(reader.flatMap((statement) => [statement.Action].flat())).not.toContain('s3:PutObject');
  });

  it('run a current Node.js runtime with tracing and a log group of their own', () => {
    for (const [id, fn] of resources('AWS::Lambda::Function')) {
      expect(fn.Properties.Runtime, id).toBe('nodejs24.x');
      expect(fn.Properties.TracingConfig, id).toEqual({ Mode: 'Active' });
      expect(fn.Properties.LoggingConfig, id).toHaveProperty('LogGroup');
    }
  });
});

describe('HTTP API', () => {
  it('has exactly the routes of the route table and $default, JWT-protected unless public', () => {
    const routes = resources('AWS::ApiGatewayV2::Route').map(
      ([, route]) => route.Properties as { RouteKey: string; AuthorizationType: string },
    );
    expect(routes.map((route) => route.RouteKey).sort()).toEqual(
      [...ROUTE_IDS.map(routeKey), '$default'].sort(),
    );
    expect(routes.find((route) => route.RouteKey === '$default')?.AuthorizationType).toBe('NONE');
    for (const routeId of ROUTE_IDS) {
      const route = routes.find((candidate) => candidate.RouteKey === routeKey(routeId));
      expect(route?.AuthorizationType, routeId).toBe(ROUTES[routeId].access === 'public' ? 'NONE' : 'JWT');
    }
  });

  it('throttles, restricts CORS to the UI origin and logs access', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
      AccessLogSettings: { DestinationArn: Match.anyValue() },
    });
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      CorsConfiguration: { AllowOrigins: ['https://scrutineer.example.police.uk'] },
    });
  });
});

describe('identity', () => {
  it('has a Cognito group per role and an authorizer trusting the pool by default', () => {
    for (const role of ROLES)
      template.hasResourceProperties('AWS::Cognito::UserPoolGroup', { GroupName: role });
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      JwtConfiguration: { Issuer: Match.anyValue(), Audience: Match.anyValue() },
    });
  });

  it('trusts another OIDC provider instead, by configuration', () => {
    const other = synthesizeStack({
      'scrutineer:oidcIssuer': 'https://login.microsoftonline.com/tenant-id/v2.0',
      'scrutineer:oidcAudience': 'api://scrutineer',
    });
    other.template.resourceCountIs('AWS::Cognito::UserPool', 0);
    other.template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      JwtConfiguration: {
        Issuer: 'https://login.microsoftonline.com/tenant-id/v2.0',
        Audience: ['api://scrutineer'],
      },
    });
  });
});

describe('size', () => {
  it('stays within the 500 resources CloudFormation takes in one stack, each function one role and no more', () => {
    expect(Object.keys(json.Resources).length).toBeLessThan(500);
    // A function's permissions are inline in its role: no policy resource per function.
    expect(resources('AWS::IAM::Policy').length).toBeLessThan(10);
  });
});

describe('cdk-nag', () => {
  it('fails the synth on a finding nobody acknowledged', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const { stack } = buildApp(app);
    new s3.Bucket(stack, 'Unhardened');
    expect(() => app.synth()).toThrow(/AwsSolutions-S1|Validation failed/);
  });

  it('passes the real stack, where every acknowledgement gives a reason', () => {
    expect(() => synthesizeStack()).not.toThrow();
  });
});
