/**
 * The keys: the customer-managed KMS key that encrypts every table, bucket, queue and log group
 * (rotated yearly; CloudWatch Logs may use it only for this account's log groups); the secret
 * key that pseudonymises identifiers at import; and the re-identification key, which seals the
 * original crime references at import and which only the functions that reveal them may decrypt
 * with (reading the table is not enough to read a reference).
 */
import { RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';

export class Encryption extends Construct {
  readonly key: kms.Key;
  readonly pseudonymKey: secretsmanager.Secret;
  readonly reidentificationKey: kms.Key;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const { region, account } = Stack.of(this);
    this.key = new kms.Key(this, 'DataKey', {
      description: 'Scrutineer case data: tables, buckets, logs',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchLogsForThisAccount',
        principals: [new iam.ServicePrincipal(`logs.${region}.amazonaws.com`)],
        actions: [
          'kms:Encrypt',
          'kms:Decrypt',
          'kms:ReEncryptFrom',
          'kms:ReEncryptTo',
          'kms:GenerateDataKey',
          'kms:DescribeKey',
        ],
        resources: ['*'], // in a key policy, "*" means this key
        conditions: {
          ArnLike: {
            'kms:EncryptionContext:aws:logs:arn': `arn:${Stack.of(this).partition}:logs:${region}:${account}:log-group:*`,
          },
        },
      }),
    );
    this.reidentificationKey = new kms.Key(this, 'ReidentificationKey', {
      description: 'Scrutineer re-identification: the original crime references behind the pseudonyms',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.pseudonymKey = new secretsmanager.Secret(this, 'PseudonymKey', {
      description: 'Keyed-hash secret that pseudonymises crime references and officer ids at import',
      encryptionKey: this.key,
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.pseudonymKey).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Rotating this key would change every pseudonym, breaking the link between imports; it is ' +
        'rotated only by a planned re-keying of stored pseudonyms',
    });
  }
}
