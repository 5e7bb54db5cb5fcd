/**
 * The environment variables a function may read. The CDK constructs set them together with the
 * matching IAM grant (infra/constructs/scrutineer-function.ts), so a handler that reads one has
 * the permission that goes with it.
 */
export const ENV = {
  mainTable: 'MAIN_TABLE_NAME',
  auditTable: 'AUDIT_TABLE_NAME',
  importsBucket: 'IMPORTS_BUCKET_NAME',
  evidenceBucket: 'EVIDENCE_BUCKET_NAME',
  caseFilesBucket: 'CASE_FILES_BUCKET_NAME',
  reportsBucket: 'REPORTS_BUCKET_NAME',
  importStateMachine: 'IMPORT_STATE_MACHINE_ARN',
  sampleStateMachine: 'SAMPLE_STATE_MACHINE_ARN',
  routingStateMachine: 'ROUTING_STATE_MACHINE_ARN',
  conclusionStateMachine: 'CONCLUSION_STATE_MACHINE_ARN',
  eventBus: 'EVENT_BUS_NAME',
  pseudonymKeySecret: 'PSEUDONYM_KEY_SECRET_ARN',
  reidentificationKey: 'REIDENTIFICATION_KEY_ARN',
  rolesClaim: 'ROLES_CLAIM',
  uiOrigin: 'UI_ORIGIN',
} as const;

export type EnvName = (typeof ENV)[keyof typeof ENV];

export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';
}

export function requireEnv(name: EnvName): string {
  const value = process.env[name];
  if (!value) throw new ConfigurationError(`Environment variable ${name} is not set`);
  return value;
}

/** The main table's name (every record but the audit log). */
export const mainTable = () => requireEnv(ENV.mainTable);
