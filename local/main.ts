/**
 * `npm start`: runs Scrutineer on this machine with demo data and prints where everything is.
 * Data lives in `.local/data` (or SCRUTINEER_DATA_DIR) and survives a restart; Ctrl-C stops it.
 */
import path from 'node:path';
import { DEMO_REVIEWERS, DEMO_SITTINGS } from './demo-panel.ts';
import { DEMO_USERS } from './demo-users.ts';
import { assertJavaAvailable, JAVA_MISSING_MESSAGE } from './dynamodb-local.ts';
import { PROJECT_ROOT, startLocalRuntime } from './runtime.ts';
import { seedIfEmpty } from './seed.ts';

const basePort = Number(process.env.SCRUTINEER_PORT_BASE ?? 4500);
const dataDir = path.resolve(process.env.SCRUTINEER_DATA_DIR ?? path.join(PROJECT_ROOT, '.local', 'data'));

try {
  assertJavaAvailable();
} catch {
  console.error(JAVA_MISSING_MESSAGE);
  process.exit(1);
}

const started = Date.now();
console.log(`Open http://127.0.0.1:${basePort + 5} and sign in as any demo persona`);
console.log('Starting Scrutineer locally…');
const runtime = await startLocalRuntime({
  dataDir,
  runSchedules: true,
  ports: {
    api: basePort,
    issuer: basePort + 1,
    stepFunctions: basePort + 2,
    dynamodb: basePort + 3,
    s3: basePort + 4,
    web: basePort + 5,
    eventBridge: basePort + 6,
    kms: basePort + 7,
    secretsManager: basePort + 8,
  },
});

let stopping = false;
const stop = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: stopping…`);
  await runtime.close();
  console.log('Stopped. Data kept in', dataDir);
  process.exit(0);
};
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));

const seeded = await seedIfEmpty(runtime);
const personas = DEMO_USERS.map(
  (user) => `    ${user.username.padEnd(8)} ${user.name.padEnd(22)} ${user.roles.join(', ')}`,
);
console.log(`
Scrutineer is running (ready in ${((Date.now() - started) / 1000).toFixed(1)} s).

  Web             ${runtime.webUrl}        (sign in as any demo persona)
  API             ${runtime.apiUrl}        (OpenAPI: ${runtime.apiUrl}/openapi.json)
  Sign-in (OIDC)  ${runtime.issuerUrl}
  Step Functions  ${runtime.stepFunctionsEndpoint}   (AWS_ENDPOINT_URL_SFN for the AWS SDK or CLI)
  DynamoDB        ${runtime.dynamodbEndpoint}
  S3              ${runtime.s3Endpoint}
  Data            ${dataDir}
${seeded ? `\n  Demo data: import ${seeded.importId} loaded ${JSON.stringify(seeded.counts)};\n             the Rape Scrutiny Panel with ${DEMO_REVIEWERS.length} reviewers and its next ${DEMO_SITTINGS.length} sittings;\n             ${seeded.agenda.cases} nominated cases on the agenda of ${seeded.agenda.sittingId}, routed to reviewers\n             (sign in as panel, panel2 or chair: GET /assignments, then findings);\n             ${seeded.concludedCase} concluded, with its evidence pack and a proposed recommendation (chair);\n             dip sample ${seeded.sample.sampleId}: ${seeded.sample.drawn} picks under audit review in ${seeded.sample.roundId}\n             (sign in as auditor or auditor2: GET /assignments, then findings; auditor leads the round)\n` : ''}
  Demo personas (local sign-in, no password):
${personas.join('\n')}

  Try it:
    TOKEN=$(curl -s -d grant_type=password -d username=admin ${runtime.issuerUrl}/token | node -pe 'JSON.parse(require("fs").readFileSync(0)).id_token')
    curl -H "authorization: Bearer $TOKEN" ${runtime.apiUrl}/imports

Press Ctrl-C to stop.`);
