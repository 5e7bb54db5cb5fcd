// Stops the run at once, saying what to install, when there is no Java for DynamoDB Local.
import { assertJavaAvailable } from '../local/dynamodb-local.ts';

export default function setup(): void {
  assertJavaAvailable();
}
