/**
 * The shape every small AWS stand-in here shares: a POST whose `x-amz-target` names the operation
 * and whose body is JSON (the AWS JSON protocol the SDK speaks), answered with JSON. An operation
 * the stand-in does not emulate is refused as AWS refuses an unknown one.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface JsonReply {
  readonly status: number;
  readonly body: unknown;
}

export type Operation = (input: Record<string, unknown>) => JsonReply | Promise<JsonReply>;

export async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

export function awsJsonService(
  operations: Readonly<Record<string, Operation>>,
  contentType = 'application/x-amz-json-1.1',
): (request: IncomingMessage, response: ServerResponse) => void {
  const reply = (response: ServerResponse, { status, body }: JsonReply) => {
    response.writeHead(status, { 'content-type': contentType });
    response.end(JSON.stringify(body));
  };
  return (request, response) => {
    void (async () => {
      const target = String(request.headers['x-amz-target'] ?? '');
      const operation = operations[target];
      if (!operation) {
        return reply(response, {
          status: 400,
          body: { __type: 'UnknownOperationException', message: `${target} is not emulated` },
        });
      }
      const body = await readBody(request);
      reply(response, await operation(JSON.parse(body || '{}') as Record<string, unknown>));
    })().catch(() =>
      reply(response, { status: 500, body: { __type: 'InternalException', message: 'the stand-in failed' } }),
    );
  };
}
