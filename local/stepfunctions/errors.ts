/** The Step Functions API errors the local service raises, named as AWS names them on the wire. */

export abstract class StepFunctionsApiError extends Error {}

export class ExecutionAlreadyExists extends StepFunctionsApiError {
  override readonly name = 'ExecutionAlreadyExists';
}

export class ExecutionDoesNotExist extends StepFunctionsApiError {
  override readonly name = 'ExecutionDoesNotExist';
}

export class StateMachineDoesNotExist extends StepFunctionsApiError {
  override readonly name = 'StateMachineDoesNotExist';
}

export class InvalidExecutionInput extends StepFunctionsApiError {
  override readonly name = 'InvalidExecutionInput';
}

export class InvalidName extends StepFunctionsApiError {
  override readonly name = 'InvalidName';
}

export class InvalidToken extends StepFunctionsApiError {
  override readonly name = 'InvalidToken';
}

export class UnknownOperationException extends StepFunctionsApiError {
  override readonly name = 'UnknownOperationException';
}
