/**
 * A local stand-in for the Step Functions service: runs the state machines of the synthesized template with
 * aws-local-stepfunctions, sends every Task to a local handler (never to AWS), and answers the execution
 * APIs with AWS's semantics and shapes. Execution input and output are case data: never log them.
 */
import './polyfills.ts';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import type {
  DescribeExecutionInput,
  DescribeExecutionOutput,
  DescribeStateMachineInput,
  DescribeStateMachineOutput,
  GetExecutionHistoryInput,
  GetExecutionHistoryOutput,
  ListExecutionsInput,
  ListExecutionsOutput,
  ListStateMachinesOutput,
  StartExecutionInput,
  StartExecutionOutput,
  StateMachineType,
  StopExecutionInput,
  StopExecutionOutput,
} from '@aws-sdk/client-sfn';
import {
  ExecutionAbortedError,
  ExecutionError,
  ExecutionTimeoutError,
  StateMachine,
} from 'aws-local-stepfunctions';
import type { FunctionRegistry } from '../functions.ts';
import type { ResolvedResource, ResolvedTemplate } from '../template.ts';
import {
  checkDefinition,
  forEachState,
  prepareDefinition,
  UnsupportedDefinitionError,
} from './definition.ts';
import {
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  InvalidExecutionInput,
  InvalidName,
  InvalidToken,
  StateMachineDoesNotExist,
} from './errors.ts';
import {
  type EventBody,
  fromInterpreterEvent,
  type HistoryContext,
  type TaskEvents,
  taskEvents,
} from './history.ts';
import { type TaskTarget, taskTarget } from './resources.ts';
import { type ExecutionRecord, ExecutionStore } from './store.ts';
import { type TaskDependencies, TaskFailure, type TaskInvoker, taskInvoker, toJson } from './tasks.ts';

export const RUNTIME_STOPPED_CAUSE = 'local runtime stopped while the execution was running';

export interface LocalStepFunctionsOptions {
  readonly template: ResolvedTemplate;
  readonly functions: FunctionRegistry;
  readonly clients: { readonly dynamodb: DynamoDBClient; readonly s3: S3Client };
  readonly dataDir: string;
  /** Retry failed states at once instead of waiting out their retry intervals (for tests). */
  readonly fastRetries?: boolean;
}

type JsonValue = Parameters<StateMachine['run']>[0];

interface TaskBinding {
  readonly invoke: TaskInvoker;
  readonly events: TaskEvents;
}

interface LocalStateMachine {
  readonly arn: string;
  readonly name: string;
  readonly roleArn: string;
  readonly type: StateMachineType;
  readonly definition: string;
  readonly creationDate: Date;
  readonly interpreter: StateMachine;
  /** Keyed by state name, which is how the interpreter looks up task overrides. */
  readonly tasks: ReadonlyMap<string, TaskBinding>;
  readonly statesWithRetry: readonly string[];
}

interface StopRequest {
  readonly error?: string;
  readonly cause?: string;
}

interface ActiveRun {
  abort: () => void;
  /** Settles once the execution has ended and its final record is written. */
  done: Promise<void>;
  /** The interpreter has given its result; anything it still starts belongs to an ended execution. */
  settled: boolean;
  stopRequest?: StopRequest;
}

interface Execution {
  readonly record: ExecutionRecord;
  active?: ActiveRun;
}

type Outcome = Pick<ExecutionRecord, 'status' | 'output' | 'error' | 'cause'>;

/**
 * Thrown to a task the interpreter starts after its execution ended: on abort it still re-runs a failed,
 * retryable state. The interpreter neither retries nor catches an error flagged like this.
 */
class ExecutionEndedError extends Error {
  override readonly name = 'States.Runtime';
  readonly isRetryable = false;
  readonly isCatchable = false;
}

// AWS: 1-80 characters, no whitespace, brackets, wildcards, control characters or "#%\^|~`$&,;:/.
const EXECUTION_NAME = /^[^\s<>{}[\]?*"#%\\^|~`$&,;:/\p{Cc}]{1,80}$/u;
const DEFAULT_PAGE_SIZE = 100;

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));
const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function loadStateMachine(
  template: ResolvedTemplate,
  resource: ResolvedResource,
  dependencies: TaskDependencies,
): LocalStateMachine {
  const name = template.attributeOf(resource.logicalId, 'Name');
  const { DefinitionString, DefinitionSubstitutions, RoleArn, StateMachineType } = resource.properties;
  if (typeof DefinitionString !== 'string') {
    throw new UnsupportedDefinitionError(`State machine "${name}" has no inline DefinitionString`);
  }
  const substitutions = (DefinitionSubstitutions ?? {}) as Record<string, unknown>;
  const definitionText = DefinitionString.replace(/\$\{([^}]+)\}/g, (placeholder, key: string) =>
    key in substitutions ? String(substitutions[key]) : placeholder,
  );
  const definition = JSON.parse(definitionText) as object;
  checkDefinition(definition, name);

  const tasks = new Map<string, TaskBinding>();
  const statesWithRetry: string[] = [];
  forEachState(definition, (stateName, state) => {
    if (Array.isArray(state.Retry) && state.Retry.length > 0) statesWithRetry.push(stateName);
    if (state.Type !== 'Task') return;
    const resourceArn = String(state.Resource);
    const target = taskTarget(resourceArn) as TaskTarget; // checkDefinition refused every other resource
    const parameters = isRecord(state.Parameters) ? state.Parameters : {};
    const functionName =
      target.kind === 'lambdaFunction' ? target.functionArn : (parameters.FunctionName as string | undefined);
    if (target.kind.startsWith('lambda') && typeof functionName === 'string') {
      try {
        dependencies.functions.get(functionName);
      } catch (error) {
        throw new UnsupportedDefinitionError(
          `State machine "${name}", state "${stateName}": ${messageOf(error)}`,
        );
      }
    }
    tasks.set(stateName, {
      invoke: taskInvoker(target, dependencies),
      events: taskEvents(resourceArn, template.region),
    });
  });

  return {
    arn: template.attributeOf(resource.logicalId, 'Arn'),
    name,
    roleArn: String(RoleArn ?? ''),
    type: (StateMachineType as StateMachineType | undefined) ?? 'STANDARD',
    definition: definitionText,
    creationDate: new Date(),
    // Validated above with the newer asl-validator; the interpreter bundles an older one.
    interpreter: new StateMachine(prepareDefinition(definition), { validationOptions: { noValidate: true } }),
    tasks,
    statesWithRetry,
  };
}

export class LocalStepFunctions {
  private readonly machines = new Map<string, LocalStateMachine>();
  /** In start order, so newest-first listing is a reverse walk. */
  private readonly executions = new Map<string, Execution>();
  private readonly store: ExecutionStore;
  private readonly region: string;
  private readonly accountId: string;
  private readonly fastRetries: boolean;
  private closed = false;

  static async create(options: LocalStepFunctionsOptions): Promise<LocalStepFunctions> {
    const service = new LocalStepFunctions(options);
    await service.restore();
    return service;
  }

  private constructor(options: LocalStepFunctionsOptions) {
    const { template, functions, clients } = options;
    this.region = template.region;
    this.accountId = template.accountId;
    this.fastRetries = options.fastRetries ?? false;
    this.store = new ExecutionStore(path.join(options.dataDir, 'executions'));
    const dependencies: TaskDependencies = {
      functions,
      clients,
      startExecution: (input) => this.startExecution(input),
      waitForExecution: (executionArn) => this.waitForExecution(executionArn),
    };
    for (const resource of template.ofType('AWS::StepFunctions::StateMachine')) {
      const machine = loadStateMachine(template, resource, dependencies);
      this.machines.set(machine.arn, machine);
    }
  }

  private async restore(): Promise<void> {
    const records = (await this.store.load()).sort((a, b) => a.startDate - b.startDate);
    for (const record of records) {
      const execution: Execution = { record };
      this.executions.set(record.executionArn, execution);
      if (record.status === 'RUNNING') {
        this.append(execution, {
          type: 'ExecutionAborted',
          executionAbortedEventDetails: { cause: RUNTIME_STOPPED_CAUSE },
        });
        Object.assign(record, { status: 'ABORTED', cause: RUNTIME_STOPPED_CAUSE, stopDate: Date.now() });
        await this.store.save(record);
      }
    }
  }

  async startExecution(input: StartExecutionInput): Promise<StartExecutionOutput> {
    if (this.closed) throw new Error('The local Step Functions service has been closed');
    const machine = this.machineOf(input.stateMachineArn);
    const name = input.name ?? randomUUID();
    if (!EXECUTION_NAME.test(name)) throw new InvalidName(`Invalid Name: '${name}'`);
    const inputText = input.input ?? '{}';
    let parsedInput: JsonValue;
    try {
      parsedInput = JSON.parse(inputText) as JsonValue;
    } catch (error) {
      throw new InvalidExecutionInput(`Invalid State Machine Execution Input: '${messageOf(error)}'`);
    }

    const executionArn = `arn:aws:states:${this.region}:${this.accountId}:execution:${machine.name}:${name}`;
    const existing = this.executions.get(executionArn);
    if (existing) {
      // As in Standard workflows: restarting a running execution with the same input is idempotent.
      if (existing.record.status === 'RUNNING' && existing.record.input === inputText) {
        return { executionArn, startDate: new Date(existing.record.startDate) };
      }
      throw new ExecutionAlreadyExists(`Execution Already Exists: '${executionArn}'`);
    }
    const record: ExecutionRecord = {
      executionArn,
      stateMachineArn: machine.arn,
      stateMachineName: machine.name,
      name,
      status: 'RUNNING',
      input: inputText,
      startDate: Date.now(),
      history: [],
    };
    const execution: Execution = { record };
    this.executions.set(executionArn, execution);
    this.run(machine, execution, parsedInput);
    await this.store.save(record);
    return { executionArn, startDate: new Date(record.startDate) };
  }

  async describeExecution(input: DescribeExecutionInput): Promise<DescribeExecutionOutput> {
    const { record } = this.executionOf(input.executionArn);
    return {
      executionArn: record.executionArn,
      stateMachineArn: record.stateMachineArn,
      name: record.name,
      status: record.status,
      startDate: new Date(record.startDate),
      stopDate: record.stopDate === undefined ? undefined : new Date(record.stopDate),
      input: record.input,
      inputDetails: { included: true },
      output: record.output,
      outputDetails: record.output === undefined ? undefined : { included: true },
      error: record.error,
      cause: record.cause,
    };
  }

  async listExecutions(input: ListExecutionsInput): Promise<ListExecutionsOutput> {
    const machine = this.machineOf(input.stateMachineArn);
    const matching = [...this.executions.values()]
      .map((execution) => execution.record)
      .filter((record) => record.stateMachineArn === machine.arn)
      .filter((record) => input.statusFilter === undefined || record.status === input.statusFilter)
      .reverse();
    let start = 0;
    if (input.nextToken !== undefined) {
      const after = Buffer.from(input.nextToken, 'base64url').toString();
      start = matching.findIndex((record) => record.executionArn === after) + 1;
      if (start === 0) throw new InvalidToken(`Invalid Token: '${input.nextToken}'`);
    }
    const page = matching.slice(start, start + (input.maxResults || DEFAULT_PAGE_SIZE));
    const last = page.at(-1);
    const more = last !== undefined && start + page.length < matching.length;
    return {
      executions: page.map((record) => ({
        executionArn: record.executionArn,
        stateMachineArn: record.stateMachineArn,
        name: record.name,
        status: record.status,
        startDate: new Date(record.startDate),
        stopDate: record.stopDate === undefined ? undefined : new Date(record.stopDate),
      })),
      nextToken: more ? Buffer.from(last.executionArn).toString('base64url') : undefined,
    };
  }

  async getExecutionHistory(input: GetExecutionHistoryInput): Promise<GetExecutionHistoryOutput> {
    const { history } = this.executionOf(input.executionArn).record;
    const limit = input.maxResults || DEFAULT_PAGE_SIZE;
    // The token is the id of the next event to return; ids never change as events are appended.
    const from =
      input.nextToken === undefined ? (input.reverseOrder ? history.length : 1) : Number(input.nextToken);
    if (!Number.isInteger(from) || from < (input.reverseOrder ? 0 : 1) || from > history.length + 1) {
      throw new InvalidToken(`Invalid Token: '${input.nextToken}'`);
    }
    const events = input.reverseOrder
      ? history.slice(Math.max(0, from - limit), from).reverse()
      : history.slice(from - 1, from - 1 + limit);
    const next = input.reverseOrder ? from - limit : from + limit;
    const more = input.reverseOrder ? next >= 1 : next <= history.length;
    return {
      events: events.map((event) => ({ ...event, timestamp: new Date(event.timestamp) })),
      nextToken: more ? String(next) : undefined,
    };
  }

  async stopExecution(input: StopExecutionInput): Promise<StopExecutionOutput> {
    const execution = this.executionOf(input.executionArn);
    const { active } = execution;
    if (active && execution.record.status === 'RUNNING') {
      active.stopRequest = { error: input.error, cause: input.cause };
      active.abort();
      await active.done;
    }
    return { stopDate: new Date(execution.record.stopDate ?? Date.now()) };
  }

  /** Resolves with the execution's description once it has ended. */
  async waitForExecution(executionArn: string): Promise<DescribeExecutionOutput> {
    await this.executionOf(executionArn).active?.done;
    return this.describeExecution({ executionArn });
  }

  async listStateMachines(): Promise<ListStateMachinesOutput> {
    return {
      stateMachines: [...this.machines.values()].map((machine) => ({
        stateMachineArn: machine.arn,
        name: machine.name,
        type: machine.type,
        creationDate: machine.creationDate,
      })),
    };
  }

  async describeStateMachine(input: DescribeStateMachineInput): Promise<DescribeStateMachineOutput> {
    const machine = this.machineOf(input.stateMachineArn);
    return {
      stateMachineArn: machine.arn,
      name: machine.name,
      status: 'ACTIVE',
      definition: machine.definition,
      roleArn: machine.roleArn,
      type: machine.type,
      creationDate: machine.creationDate,
    };
  }

  /** Aborts every running execution and writes all records to disk. */
  async close(): Promise<void> {
    this.closed = true;
    const running = [...this.executions.values()].flatMap(({ record, active }) =>
      record.status === 'RUNNING' && active ? [active] : [],
    );
    await Promise.all(
      running.map((active) => {
        active.stopRequest = { cause: RUNTIME_STOPPED_CAUSE };
        active.abort();
        return active.done;
      }),
    );
    await this.store.flush();
  }

  private machineOf(stateMachineArn: string | undefined): LocalStateMachine {
    const machine = this.machines.get(String(stateMachineArn));
    if (!machine) throw new StateMachineDoesNotExist(`State Machine Does Not Exist: '${stateMachineArn}'`);
    return machine;
  }

  private executionOf(executionArn: string | undefined): Execution {
    const execution = this.executions.get(String(executionArn));
    if (!execution) throw new ExecutionDoesNotExist(`Execution Does Not Exist: '${executionArn}'`);
    return execution;
  }

  private run(machine: LocalStateMachine, execution: Execution, input: JsonValue): void {
    const { record } = execution;
    const active: ActiveRun = { abort: () => undefined, done: Promise.resolve(), settled: false };
    execution.active = active;
    const handlers = Object.fromEntries(
      [...machine.tasks].map(([stateName, task]) => [
        stateName,
        (parameters: unknown) => this.runTask(execution, active, task, parameters) as Promise<JsonValue>,
      ]),
    );
    const run = machine.interpreter.run(input, {
      overrides: {
        taskResourceLocalHandlers: handlers,
        retryIntervalOverrides: this.fastRetries
          ? Object.fromEntries(machine.statesWithRetry.map((stateName) => [stateName, 0]))
          : undefined,
      },
      // The interpreter itself only provides Execution.Input and Execution.StartTime.
      context: {
        Execution: { Id: record.executionArn, Name: record.name, RoleArn: machine.roleArn },
        StateMachine: { Id: machine.arn, Name: machine.name },
      },
    });
    active.abort = run.abort;

    const historyContext: HistoryContext = {
      roleArn: machine.roleArn,
      get stopRequest() {
        return active.stopRequest;
      },
      taskEventsOf: (stateName) => machine.tasks.get(stateName)?.events,
    };
    const recorded = (async () => {
      for await (const event of run.eventLogs) {
        const body = fromInterpreterEvent(event, historyContext);
        if (body) this.append(execution, body, event.timestamp);
      }
    })().catch((error: unknown) => {
      console.error(`Could not record the history of ${record.executionArn}: ${messageOf(error)}`);
    });
    const outcome = run.result.then(
      (output): Outcome => ({ status: 'SUCCEEDED', output: JSON.stringify(output) }),
      (error: unknown): Outcome => {
        if (error instanceof ExecutionAbortedError) return { status: 'ABORTED', ...active.stopRequest };
        if (error instanceof ExecutionTimeoutError) return { status: 'TIMED_OUT', error: 'States.Timeout' };
        const failure = error instanceof ExecutionError ? error.cause : error;
        return {
          status: 'FAILED',
          error: failure instanceof Error ? failure.name : 'States.Runtime',
          cause: messageOf(failure),
        };
      },
    );
    void outcome.then(() => {
      active.settled = true;
    });
    active.done = Promise.all([recorded, outcome]).then(async ([, result]) => {
      // Status changes only now, so a finished execution's history is already complete.
      Object.assign(record, result, { stopDate: Date.now() });
      await this.store.save(record).catch((error: unknown) => {
        console.error(`Could not save ${record.executionArn}: ${messageOf(error)}`);
      });
    });
  }

  private async runTask(execution: Execution, active: ActiveRun, task: TaskBinding, parameters: unknown) {
    // The interpreter hands its events (StateEntered...) over asynchronously; after one macrotask they are
    // in the history, so this task's own events follow them as they do in AWS.
    await new Promise((resolve) => setImmediate(resolve));
    if (active.settled) throw new ExecutionEndedError('The execution has ended');
    this.append(execution, task.events.scheduled(parameters));
    this.append(execution, task.events.started());
    try {
      const output = toJson(await task.invoke(parameters));
      this.append(execution, task.events.succeeded(output));
      return output;
    } catch (error) {
      const failure =
        error instanceof TaskFailure ? error : new TaskFailure('States.TaskFailed', messageOf(error));
      this.append(execution, task.events.failed(failure.name, failure.message));
      throw failure;
    }
  }

  private append(execution: Execution, body: EventBody, timestamp = Date.now()): void {
    const { record } = execution;
    if (record.status !== 'RUNNING') return;
    record.history.push({
      ...body,
      id: record.history.length + 1,
      previousEventId: record.history.length,
      timestamp,
    });
    this.store.save(record).catch((error: unknown) => {
      console.error(`Could not save ${record.executionArn}: ${messageOf(error)}`);
    });
  }
}
