/**
 * Every synthesized state machine is valid ASL and uses nothing the local interpreter would
 * silently get wrong, and every Lambda task names a function whose handler module exists.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FunctionRegistry } from '../../local/functions.ts';
import { checkDefinition, forEachState } from '../../local/stepfunctions/definition.ts';
import { resolveTemplate } from '../../local/template.ts';
import { synthesizeStack } from './synth.ts';

const projectRoot = path.resolve(import.meta.dirname, '../..');
const template = resolveTemplate(synthesizeStack().json);
const machines = template.ofType('AWS::StepFunctions::StateMachine');

describe.each(machines.map((machine) => [machine.logicalId, machine] as const))(
  '%s',
  (logicalId, machine) => {
    const definition = JSON.parse(String(machine.properties.DefinitionString)) as object;

    it('is valid ASL that the local interpreter runs faithfully', () => {
      expect(() => checkDefinition(definition, logicalId)).not.toThrow();
    });

    it('gives every task a retry policy and a timeout, and maps every Lambda to its handler module', () => {
      const functions = new FunctionRegistry(template, projectRoot);
      forEachState(definition, (name, state) => {
        if (state.Type !== 'Task') return;
        expect(state.Retry ?? (state.Resource as string).includes('dynamodb'), name).toBeTruthy();
        const target =
          (state.Parameters as { FunctionName?: string } | undefined)?.FunctionName ?? String(state.Resource);
        if (!target.startsWith('arn:aws:lambda:')) return;
        expect(state.TimeoutSeconds, name).toBeGreaterThan(0);
        // A connection that timed out after the SDK's own retries is retried by the workflow.
        const retried = ((state.Retry ?? []) as { ErrorEquals: string[]; MaxAttempts?: number }[])
          .filter((retry) => retry.MaxAttempts !== 0)
          .flatMap((retry) => retry.ErrorEquals);
        expect(retried, name).toEqual(expect.arrayContaining(['TimeoutError', 'ThrottlingException']));
        const fn = functions.get(target);
        expect(existsSync(path.join(projectRoot, fn.entry)), fn.entry).toBe(true);
      });
    });
  },
);

describe('the local check', () => {
  it('refuses a JSONata state, naming it', () => {
    const jsonata = { StartAt: 'A', States: { A: { Type: 'Pass', QueryLanguage: 'JSONata', End: true } } };
    expect(() => checkDefinition(jsonata, 'Example')).toThrow(/A/);
  });
});
