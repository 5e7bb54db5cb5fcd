/**
 * The DynamoDB tables: the main single table (every record type, keyed per shared/data/keys.ts)
 * and the audit log. Both are encrypted with the customer-managed key, have point-in-time recovery
 * and deletion protection, and are retained if the stack is deleted.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { AUDIT_TABLE_INDEXES } from '../../shared/audit/audit-event.ts';
import { MAIN_TABLE_INDEXES, POPULATION_FIELDS } from '../../shared/data/keys.ts';

export interface DataTable {
  readonly table: dynamodb.Table;
  indexArns(): string[];
}

export interface DataTablesProps {
  readonly encryptionKey: kms.IKey;
}

function hardenedTable(
  scope: Construct,
  id: string,
  props: DataTablesProps & { indexes: readonly string[] },
) {
  const table = new dynamodb.Table(scope, id, {
    partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
    sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
    billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
    encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
    encryptionKey: props.encryptionKey,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    deletionProtection: true,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  const indexes = props.indexes;
  return {
    table,
    indexArns: () => indexes.map((index) => `${table.tableArn}/index/${index}`),
  } satisfies DataTable;
}

export class DataTables extends Construct {
  readonly main: DataTable;
  readonly audit: DataTable;

  constructor(scope: Construct, id: string, props: DataTablesProps) {
    super(scope, id);
    this.main = hardenedTable(this, 'Main', { ...props, indexes: Object.values(MAIN_TABLE_INDEXES) });
    this.main.table.addGlobalSecondaryIndex({
      indexName: MAIN_TABLE_INDEXES.byKind,
      partitionKey: { name: 'gsi1pk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'gsi1sk', type: dynamodb.AttributeType.STRING },
      projectionType: dynamodb.ProjectionType.ALL,
    });
    this.main.table.addGlobalSecondaryIndex({
      indexName: MAIN_TABLE_INDEXES.population,
      partitionKey: { name: 'popPk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'popSk', type: dynamodb.AttributeType.STRING },
      projectionType: dynamodb.ProjectionType.INCLUDE,
      nonKeyAttributes: [...POPULATION_FIELDS],
    });
    this.main.table.addGlobalSecondaryIndex({
      indexName: MAIN_TABLE_INDEXES.byCrime,
      partitionKey: { name: 'crimeReference', type: dynamodb.AttributeType.STRING },
      projectionType: dynamodb.ProjectionType.KEYS_ONLY,
    });
    this.audit = hardenedTable(this, 'Audit', { ...props, indexes: Object.values(AUDIT_TABLE_INDEXES) });
    this.audit.table.addGlobalSecondaryIndex({
      indexName: AUDIT_TABLE_INDEXES.byActor,
      partitionKey: { name: 'actorKey', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'actorSort', type: dynamodb.AttributeType.STRING },
      projectionType: dynamodb.ProjectionType.ALL,
    });
  }
}
