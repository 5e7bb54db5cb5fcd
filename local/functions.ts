/**
 * The Lambda functions of the synthesized template, each mapped back to the handler module it
 * was bundled from (the house construct records the entry in the resource's metadata), so the
 * local runtime runs the same handler code that is deployed.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Context } from 'aws-lambda';
import { ENTRY_METADATA, HANDLER_METADATA } from '../infra/constructs/scrutineer-function.ts';
import type { ResolvedTemplate } from './template.ts';

export type LambdaHandler = (event: unknown, context: Context) => Promise<unknown>;

export interface LocalFunction {
  readonly logicalId: string;
  readonly functionName: string;
  readonly arn: string;
  /** Source module path relative to the project root, e.g. `functions/api/health.ts`. */
  readonly entry: string;
  readonly handlerExport: string;
  readonly timeoutSeconds: number;
  readonly environment: Readonly<Record<string, string>>;
  invoke(event: unknown): Promise<unknown>;
}

export class UnknownFunctionError extends Error {
  override readonly name = 'UnknownFunctionError';
}

export class FunctionRegistry {
  private readonly byKey = new Map<string, LocalFunction>();

  constructor(
    template: ResolvedTemplate,
    private readonly projectRoot: string,
  ) {
    for (const resource of template.ofType('AWS::Lambda::Function')) {
      const entry = resource.metadata[ENTRY_METADATA];
      if (typeof entry !== 'string') continue; // CDK-internal helpers (custom resources) never run locally
      const handlerExport = String(resource.metadata[HANDLER_METADATA] ?? 'handler');
      const functionName = template.refOf(resource.logicalId);
      const arn = template.attributeOf(resource.logicalId, 'Arn');
      const variables = (
        resource.properties.Environment as { Variables?: Record<string, unknown> } | undefined
      )?.Variables;
      const fn: LocalFunction = {
        logicalId: resource.logicalId,
        functionName,
        arn,
        entry,
        handlerExport,
        timeoutSeconds: Number(resource.properties.Timeout ?? 3),
        environment: Object.fromEntries(Object.entries(variables ?? {}).map(([k, v]) => [k, String(v)])),
        invoke: (event) => this.invoke(fn, event),
      };
      for (const key of [resource.logicalId, functionName, arn]) this.byKey.set(key, fn);
    }
  }

  all(): LocalFunction[] {
    return [...new Set(this.byKey.values())];
  }

  /** Finds a function by logical id, name or ARN (qualified ARNs included). */
  get(nameOrArn: string): LocalFunction {
    const unqualified = nameOrArn.replace(/^(arn:aws:lambda:[^:]+:[^:]+:function:[^:]+):.*$/, '$1');
    const fn = this.byKey.get(unqualified);
    if (!fn) throw new UnknownFunctionError(`No local handler for Lambda function "${nameOrArn}"`);
    return fn;
  }

  /**
   * The environment every function sees. All handlers share one process here, so a variable must
   * mean the same thing in every function that declares it; a clash is a template error, not
   * something to paper over.
   */
  sharedEnvironment(): Record<string, string> {
    const merged: Record<string, string> = {};
    const origin: Record<string, string> = {};
    for (const fn of this.all()) {
      for (const [key, value] of Object.entries(fn.environment)) {
        if (key in merged && merged[key] !== value) {
          throw new Error(
            `Environment variable ${key} is "${merged[key]}" in ${origin[key]} but "${value}" in ${fn.logicalId}; ` +
              'functions share one process locally, so it must mean the same everywhere',
          );
        }
        merged[key] = value;
        origin[key] = fn.logicalId;
      }
    }
    return merged;
  }

  private readonly modules = new Map<string, Promise<Record<string, unknown>>>();

  private async invoke(fn: LocalFunction, event: unknown): Promise<unknown> {
    let loading = this.modules.get(fn.entry);
    if (!loading) {
      loading = import(pathToFileURL(path.join(this.projectRoot, fn.entry)).href) as Promise<
        Record<string, unknown>
      >;
      this.modules.set(fn.entry, loading);
    }
    const handler = (await loading)[fn.handlerExport];
    if (typeof handler !== 'function') {
      throw new UnknownFunctionError(`${fn.entry} does not export a handler named "${fn.handlerExport}"`);
    }
    const deadline = Date.now() + fn.timeoutSeconds * 1000;
    const context = {
      callbackWaitsForEmptyEventLoop: false,
      functionName: fn.functionName,
      functionVersion: '$LATEST',
      invokedFunctionArn: fn.arn,
      memoryLimitInMB: '1024',
      awsRequestId: randomUUID(),
      logGroupName: `/aws/lambda/${fn.functionName}`,
      logStreamName: 'local',
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
      done: () => undefined,
      fail: () => undefined,
      succeed: () => undefined,
    } satisfies Context;
    return (handler as LambdaHandler)(event, context);
  }
}
