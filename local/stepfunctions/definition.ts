/**
 * Gatekeeping between a synthesized state machine definition and the local interpreter
 * (aws-local-stepfunctions). The interpreter silently misbehaves on several ASL features (JSONata states
 * return their input unchanged, Distributed Map options are ignored, callback tasks never get a token), so
 * those are refused up front rather than producing executions that look right and are not.
 */
import { createRequire } from 'node:module';
import type { StateMachineDefinition } from 'aws-local-stepfunctions';
import { taskTarget } from './resources.ts';

interface AslValidation {
  isValid: boolean;
  errorsText(separator?: string): string;
}
type AslValidator = (
  definition: object,
  options: { checkArn: boolean; checkPaths: boolean },
) => AslValidation;

// asl-validator is CommonJS without type declarations.
const validateAsl = createRequire(import.meta.url)('asl-validator') as AslValidator;

export class UnsupportedDefinitionError extends Error {
  override readonly name = 'UnsupportedDefinitionError';
}

export type StateDefinition = Record<string, unknown>;

/** Node's setTimeout overflows (fires at once) above 2^31-1 ms, about 24.8 days. */
export const MAX_TIMER_SECONDS = 24 * 24 * 60 * 60;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Visits every state, including those nested in Map item processors and Parallel branches. */
export function forEachState(
  definition: unknown,
  visit: (name: string, state: StateDefinition) => void,
): void {
  if (!isRecord(definition) || !isRecord(definition.States)) return;
  for (const [name, state] of Object.entries(definition.States)) {
    if (!isRecord(state)) continue;
    visit(name, state);
    forEachState(state.ItemProcessor ?? state.Iterator, visit);
    if (Array.isArray(state.Branches)) for (const branch of state.Branches) forEachState(branch, visit);
  }
}

function problemsOf(state: StateDefinition): string[] {
  const problems: string[] = [];
  if (state.QueryLanguage === 'JSONata')
    problems.push('uses JSONata, which the interpreter silently ignores');
  const choicesAndCatchers = [state.Choices, state.Catch].flatMap((list) =>
    Array.isArray(list) ? list : [],
  );
  if ('Assign' in state || choicesAndCatchers.some((rule) => isRecord(rule) && 'Assign' in rule)) {
    problems.push('uses Assign (variables), which the interpreter does not support');
  }
  for (const field of ['ItemReader', 'ItemBatcher']) {
    if (field in state) problems.push(`uses ${field} (Distributed Map), which the interpreter ignores`);
  }
  for (const field of Object.keys(state).filter((key) => key.startsWith('ToleratedFailure'))) {
    problems.push(`uses ${field} (Distributed Map), which the interpreter ignores`);
  }
  const processor = state.ItemProcessor;
  if (
    isRecord(processor) &&
    isRecord(processor.ProcessorConfig) &&
    processor.ProcessorConfig.Mode === 'DISTRIBUTED'
  ) {
    problems.push('is a Distributed Map, which the interpreter runs as an inline Map');
  }
  if (state.Type === 'Task') {
    const resource = String(state.Resource);
    if (resource.endsWith('.waitForTaskToken')) {
      problems.push(`uses the callback pattern (${resource}); the interpreter provides no task token`);
    } else if (!taskTarget(resource)) {
      problems.push(`uses Resource "${resource}", which has no local implementation`);
    }
  }
  return problems;
}

/** Throws UnsupportedDefinitionError listing every reason the definition cannot run faithfully here. */
export function checkDefinition(definition: object, stateMachineName: string): void {
  const problems: string[] = [];
  // The validator writes default QueryLanguage fields into what it is given.
  const validation = validateAsl(structuredClone(definition), { checkArn: true, checkPaths: true });
  if (!validation.isValid) problems.push(`is not valid ASL: ${validation.errorsText('; ')}`);
  if (isRecord(definition) && definition.QueryLanguage === 'JSONata') {
    problems.push('uses JSONata at the top level, which the interpreter silently ignores');
  }
  forEachState(definition, (name, state) => {
    for (const problem of problemsOf(state)) problems.push(`state "${name}" ${problem}`);
  });
  if (problems.length > 0) {
    throw new UnsupportedDefinitionError(
      `State machine "${stateMachineName}" cannot run locally:\n  - ${problems.join('\n  - ')}`,
    );
  }
}

/** A copy of a checked definition with the interpreter's known misreadings worked around. */
export function prepareDefinition(definition: object): StateMachineDefinition {
  const prepared = structuredClone(definition) as StateMachineDefinition & StateDefinition;
  if (typeof prepared.TimeoutSeconds === 'number') {
    prepared.TimeoutSeconds = Math.min(prepared.TimeoutSeconds, MAX_TIMER_SECONDS);
  }
  forEachState(prepared, (_name, state) => {
    // The interpreter writes a literal "$" key for ResultPath "$", which means "replace the input".
    if (state.ResultPath === '$') delete state.ResultPath;
    if (Array.isArray(state.Catch)) {
      for (const catcher of state.Catch)
        if (isRecord(catcher) && catcher.ResultPath === '$') delete catcher.ResultPath;
    }
    if (state.Type !== 'Task') return;
    if (typeof state.TimeoutSeconds === 'number') {
      state.TimeoutSeconds = Math.min(state.TimeoutSeconds, MAX_TIMER_SECONDS);
    } else if (state.TimeoutSecondsPath === undefined) {
      // AWS lets a Task without TimeoutSeconds run (practically) forever; the interpreter would stop it at 60 s.
      state.TimeoutSeconds = MAX_TIMER_SECONDS;
    }
  });
  return prepared;
}
