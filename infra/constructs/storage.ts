/**
 * The S3 buckets: uploaded imports, write-once evidence packs (Object Lock, versioned), redacted
 * case files for reviewers, and reports. All block public access, refuse plain HTTP, use the
 * customer-managed key and log access to a dedicated log bucket.
 */
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

export interface StorageProps {
  readonly encryptionKey: kms.IKey;
  /** Browser origin allowed to upload exports with a presigned URL. */
  readonly uiOrigin: string;
  /** Default governance-mode retention of evidence packs, in days. */
  readonly evidenceRetentionDays: number;
}

export class Storage extends Construct {
  readonly accessLogs: s3.Bucket;
  readonly imports: s3.Bucket;
  readonly evidence: s3.Bucket;
  readonly caseFiles: s3.Bucket;
  readonly reports: s3.Bucket;

  constructor(scope: Construct, id: string, props: StorageProps) {
    super(scope, id);
    this.accessLogs = new s3.Bucket(this, 'AccessLogs', {
      // S3 server access logging can only deliver to a bucket encrypted with S3-managed keys.
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ expiration: Duration.days(400) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.accessLogs).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This is the access log bucket; logging it to itself would loop',
    });

    const hardened = (name: string, extra: Partial<s3.BucketProps> = {}) =>
      new s3.Bucket(this, name, {
        encryption: s3.BucketEncryption.KMS,
        encryptionKey: props.encryptionKey,
        bucketKeyEnabled: true,
        blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
        enforceSSL: true,
        serverAccessLogsBucket: this.accessLogs,
        serverAccessLogsPrefix: `${name.toLowerCase()}/`,
        removalPolicy: RemovalPolicy.RETAIN,
        ...extra,
      });

    this.imports = hardened('Imports', {
      cors: [
        {
          allowedMethods: [s3.HttpMethods.PUT],
          allowedOrigins: [props.uiOrigin],
          allowedHeaders: ['content-type'],
          maxAge: 3000,
        },
      ],
      // Raw exports are kept only as long as an import might be re-run or questioned.
      lifecycleRules: [{ prefix: 'uploads/', expiration: Duration.days(90) }],
    });
    this.evidence = hardened('Evidence', {
      versioned: true,
      objectLockEnabled: true,
      objectLockDefaultRetention: s3.ObjectLockRetention.governance(
        Duration.days(props.evidenceRetentionDays),
      ),
    });
    // Case files are working copies for reviewers, not evidence (the pack is the record): no Object
    // Lock and no versions, so a file erased (say one uploaded unredacted by mistake) leaves no
    // earlier version behind.
    this.caseFiles = hardened('CaseFiles', {
      versioned: false,
      cors: [
        {
          allowedMethods: [s3.HttpMethods.PUT, s3.HttpMethods.GET],
          allowedOrigins: [props.uiOrigin],
          allowedHeaders: ['content-type'],
          maxAge: 3000,
        },
      ],
    });
    this.reports = hardened('Reports', { versioned: true });
  }
}
