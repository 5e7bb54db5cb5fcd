/**
 * Starts a workflow execution under a name derived from what it works on. Step Functions keeps
 * names unique per state machine, so a retried request finds the execution it already started
 * instead of starting a second one.
 */
import { ExecutionAlreadyExists, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { stepFunctions } from './aws-clients.ts';

export async function startExecutionOnce(
  stateMachineArn: string,
  name: string,
  input: unknown,
): Promise<void> {
  try {
    await stepFunctions.send(
      new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) }),
    );
  } catch (error) {
    if (!(error instanceof ExecutionAlreadyExists)) throw error;
  }
}
