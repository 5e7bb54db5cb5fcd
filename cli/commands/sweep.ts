/**
 * `scrutineer sweep run`: runs the sweep (stale imports expired, overdue assignments and
 * recommendations chased) now, on the local stack. In AWS it runs on its schedule only: there is
 * no API to start it, so this talks to the local Step Functions stand-in directly.
 */
import {
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  ListStateMachinesCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import type { Command } from 'commander';
import { isLoopback } from '../api-client.ts';
import { connect, localAddresses, withSignInOptions } from '../config.ts';
import { result, status } from '../output.ts';

const SWEEP_USER = 'admin';
/** The sweep's own time limit is 30 minutes; locally it takes seconds. */
const WAIT_MS = 5 * 60_000;

interface SweepOutput {
  readonly expiredImports?: { readonly expired?: readonly string[] };
  readonly overdueAssignments?: { readonly overdue?: readonly string[] };
  readonly overdueRecommendations?: { readonly overdue?: readonly string[] };
}

export function addSweepCommand(program: Command): void {
  const sweep = program.command('sweep').description('the hourly housekeeping sweep');
  withSignInOptions(
    sweep
      .command('run')
      .description(
        'run the sweep now on the local stack: expire stale imports, chase overdue assignments and recommendations',
      )
      .option('--json', "print the sweep's output as JSON"),
    SWEEP_USER,
  ).action(async (options: { json?: boolean }, command: Command) => {
    const endpoint = stepFunctionsEndpoint();
    const client = await connect(command);
    const me = await client.get<{ roles: readonly string[] }>('/me');
    if (!me.roles.includes('admin')) {
      throw new Error(
        `Running the sweep is for an admin; ${client.caller} is ${me.roles.join(', ') || 'no role'}.`,
      );
    }
    const [{ LOCAL_CREDENTIALS }, { LOCAL_REGION }] = await Promise.all([
      import('../../local/stand-ins.ts'),
      import('../../local/template.ts'),
    ]);
    // The SDK's notice about the Node versions it will need is for maintainers, not for the output.
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
    const sfn = new SFNClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
    try {
      const execution = await runSweep(sfn, endpoint);
      if (execution.status !== 'SUCCEEDED') {
        const why = [execution.error, execution.cause].filter(Boolean).join(': ');
        throw new Error(`The sweep ${execution.executionArn} ${execution.status}${why ? `: ${why}` : ''}`);
      }
      const output = JSON.parse(execution.output ?? '{}') as SweepOutput;
      result(options.json ? JSON.stringify(output, null, 2) : formatSweep(output));
    } finally {
      sfn.destroy();
    }
  });
}

/** The local Step Functions endpoint, or a refusal when the CLI points anywhere else. */
function stepFunctionsEndpoint(): string {
  const apiUrl = process.env.SCRUTINEER_API_URL;
  if (apiUrl && !isLoopback(apiUrl)) {
    throw new Error(
      `SCRUTINEER_API_URL points at ${apiUrl}: in AWS the sweep runs on its schedule (every hour), ` +
        'and cannot be started from here. `scrutineer sweep run` is for the local stack.',
    );
  }
  const { apiUrl: localApi } = localAddresses();
  const endpoint =
    process.env.AWS_ENDPOINT_URL_SFN || localApi.replace(/:(\d+)$/, (_, port) => `:${Number(port) + 2}`);
  if (!isLoopback(endpoint)) {
    throw new Error(
      `AWS_ENDPOINT_URL_SFN points at ${endpoint}: the sweep runs on its schedule in AWS; ` +
        '`scrutineer sweep run` starts it only on the local stack.',
    );
  }
  return endpoint;
}

async function runSweep(sfn: SFNClient, endpoint: string): Promise<DescribeExecutionCommandOutput> {
  const machines = await sfn.send(new ListStateMachinesCommand({})).then(
    (listed) => listed.stateMachines ?? [],
    (error: unknown) => {
      throw new Error(
        `Could not reach the local Step Functions at ${endpoint} (${(error as Error).message}). Is \`npm start\` running?`,
      );
    },
  );
  const sweep = machines.find((machine) => machine.name?.includes('Sweep'));
  if (!sweep?.stateMachineArn) throw new Error(`There is no sweep state machine at ${endpoint}.`);
  const { executionArn } = await sfn.send(
    new StartExecutionCommand({
      stateMachineArn: sweep.stateMachineArn,
      name: `on-demand-${new Date().toISOString().replace(/[:.]/g, '-')}`,
      input: '{}',
    }),
  );
  status(`Running the sweep (${executionArn})…`);
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const execution = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    if (execution.status !== 'RUNNING') return execution;
    if (Date.now() > deadline) throw new Error(`The sweep ${executionArn} is still running after 5 minutes.`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

function formatSweep(output: SweepOutput): string {
  const line = (label: string, ids: readonly string[] = []) =>
    `  ${label}: ${ids.length}${ids.length ? ` (${ids.join(', ')})` : ''}`;
  return [
    'The sweep ran:',
    line('stale imports expired', output.expiredImports?.expired),
    line('overdue assignments chased', output.overdueAssignments?.overdue),
    line('overdue recommendations chased', output.overdueRecommendations?.overdue),
  ].join('\n');
}
