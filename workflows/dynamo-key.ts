/**
 * A DynamoDB task's key from the same key builder the handlers use: the builder is called with a
 * placeholder for the id, which becomes a `States.Format` of the id at the path, so the workflow
 * never spells a key of its own.
 */
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';

const PLACEHOLDER = '{}';

export function dynamoKeyAt(
  builder: (id: string) => Record<string, string>,
  idPath: string,
): Record<string, tasks.DynamoAttributeValue> {
  return Object.fromEntries(
    Object.entries(builder(PLACEHOLDER)).map(([name, value]) => [
      name,
      tasks.DynamoAttributeValue.fromString(
        value.includes(PLACEHOLDER) ? sfn.JsonPath.format(value, sfn.JsonPath.stringAt(idPath)) : value,
      ),
    ]),
  );
}
