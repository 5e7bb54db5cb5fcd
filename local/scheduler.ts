/**
 * Fires the template's scheduled EventBridge rules: on their timers when running, and on demand
 * (`fire`) in tests. Targets are state machines (StartExecution) or Lambda functions, with the
 * rule's constant Input, as EventBridge delivers them.
 */
import type { FunctionRegistry } from './functions.ts';
import type { LocalStepFunctions } from './stepfunctions/service.ts';
import type { ResolvedTemplate } from './template.ts';

interface ScheduledRule {
  readonly logicalId: string;
  readonly everyMs: number;
  readonly targets: readonly { readonly arn: string; readonly input: string }[];
}

const UNIT_MS: Record<string, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

export class UnsupportedScheduleError extends Error {
  override readonly name = 'UnsupportedScheduleError';
}

export function parseRate(expression: string, ruleId: string): number {
  const match = /^rate\((\d+) (minute|hour|day)s?\)$/.exec(expression.trim());
  if (!match) {
    throw new UnsupportedScheduleError(
      `Rule ${ruleId}: only rate() schedules run locally, not "${expression}"`,
    );
  }
  return Number(match[1]) * (UNIT_MS[match[2] as string] as number);
}

export class LocalScheduler {
  readonly rules: readonly ScheduledRule[];
  private timers: NodeJS.Timeout[] = [];

  constructor(
    template: ResolvedTemplate,
    private readonly stepFunctions: LocalStepFunctions,
    private readonly functions: FunctionRegistry,
  ) {
    this.rules = template
      .ofType('AWS::Events::Rule')
      .filter(
        (rule) =>
          typeof rule.properties.ScheduleExpression === 'string' && rule.properties.State !== 'DISABLED',
      )
      .map((rule) => ({
        logicalId: rule.logicalId,
        everyMs: parseRate(String(rule.properties.ScheduleExpression), rule.logicalId),
        targets: ((rule.properties.Targets ?? []) as { Arn: string; Input?: string }[]).map((target) => ({
          arn: target.Arn,
          input: target.Input ?? '{}',
        })),
      }));
  }

  start(): void {
    for (const rule of this.rules) {
      const timer = setInterval(() => void this.fire(rule.logicalId).catch(() => undefined), rule.everyMs);
      timer.unref();
      this.timers.push(timer);
    }
  }

  stop(): void {
    for (const timer of this.timers.splice(0)) clearInterval(timer);
  }

  /** Delivers the rule's targets now; returns the execution ARNs it started. */
  async fire(ruleLogicalIdPrefix: string): Promise<string[]> {
    const rule = this.rules.find((candidate) => candidate.logicalId.startsWith(ruleLogicalIdPrefix));
    if (!rule) throw new Error(`No scheduled rule ${ruleLogicalIdPrefix}…`);
    const started: string[] = [];
    for (const target of rule.targets) {
      if (target.arn.startsWith('arn:aws:states:')) {
        const { executionArn } = await this.stepFunctions.startExecution({
          stateMachineArn: target.arn,
          input: target.input,
        });
        if (executionArn) started.push(executionArn);
      } else {
        await this.functions.get(target.arn).invoke(JSON.parse(target.input));
      }
    }
    return started;
  }
}
