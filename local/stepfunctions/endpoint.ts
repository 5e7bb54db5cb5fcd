/**
 * The Step Functions API over HTTP as @aws-sdk/client-sfn speaks it (AWS JSON 1.0: POST /, operation in
 * `x-amz-target`, camelCase JSON, timestamps as epoch seconds). Signatures are not checked.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody } from '../aws-json-service.ts';
import { StepFunctionsApiError, UnknownOperationException } from './errors.ts';
import type { LocalStepFunctions } from './service.ts';

// Bodies are passed on as the SDK client shaped them; like the signatures, they are not validated here.
type Operation = (service: LocalStepFunctions, body: never) => Promise<unknown>;

const OPERATIONS: Record<string, Operation> = {
  StartExecution: (service, body) => service.startExecution(body),
  DescribeExecution: (service, body) => service.describeExecution(body),
  ListExecutions: (service, body) => service.listExecutions(body),
  GetExecutionHistory: (service, body) => service.getExecutionHistory(body),
  StopExecution: (service, body) => service.stopExecution(body),
  ListStateMachines: (service) => service.listStateMachines(),
  DescribeStateMachine: (service, body) => service.describeStateMachine(body),
};

const TARGET_PREFIX = 'AWSStepFunctions.';

function toWire(value: unknown): unknown {
  if (value instanceof Date) return value.getTime() / 1000;
  if (Array.isArray(value)) return value.map(toWire);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, toWire(inner)]));
  }
  return value;
}

function send(res: ServerResponse, statusCode: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(statusCode, {
    'content-type': 'application/x-amz-json-1.0',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

async function handle(service: LocalStepFunctions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  try {
    const text = await readBody(req);
    const target = String(req.headers['x-amz-target'] ?? '');
    const operation = target.startsWith(TARGET_PREFIX)
      ? OPERATIONS[target.slice(TARGET_PREFIX.length)]
      : undefined;
    if (req.method !== 'POST' || !operation) {
      throw new UnknownOperationException(`Unknown operation: '${target}'`);
    }
    let body: unknown;
    try {
      body = JSON.parse(text || '{}');
    } catch {
      send(res, 400, { __type: 'SerializationException', message: 'The request body is not valid JSON' });
      return;
    }
    send(res, 200, toWire(await operation(service, (body ?? {}) as never)));
  } catch (error) {
    if (error instanceof StepFunctionsApiError) {
      send(res, 400, { __type: error.name, message: error.message });
    } else {
      send(res, 500, {
        __type: 'InternalFailure',
        message: error instanceof Error ? error.message : String(error),
      });
    }
  }
}

export function createStepFunctionsEndpoint(
  service: LocalStepFunctions,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    void handle(service, req, res);
  };
}
