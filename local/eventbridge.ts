/**
 * An EventBridge stand-in for the events the handlers publish: PutEvents over the AWS JSON 1.1
 * protocol, as the SDK sends it. Events are appended to `events.ndjson` in the data directory and
 * kept for tests to read. Rules matching on patterns are not emulated: nothing in the template
 * subscribes to these events; the force wires its own targets in AWS.
 */
import { randomUUID } from 'node:crypto';
import { appendFile, mkdir } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';

export interface PublishedEvent {
  readonly eventId: string;
  readonly eventBusName: string;
  readonly source: string;
  readonly detailType: string;
  readonly detail: unknown;
  readonly time: string;
}

interface PutEventsEntry {
  EventBusName?: string;
  Source?: string;
  DetailType?: string;
  Detail?: string;
}

export interface LocalEventBridge {
  readonly published: readonly PublishedEvent[];
  handler(request: IncomingMessage, response: ServerResponse): void;
}

export async function startLocalEventBridge(dataDir: string): Promise<LocalEventBridge> {
  await mkdir(dataDir, { recursive: true });
  const file = path.join(dataDir, 'events.ndjson');
  const published: PublishedEvent[] = [];
  const reply = (response: ServerResponse, status: number, body: unknown) => {
    response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
    response.end(JSON.stringify(body));
  };
  return {
    published,
    handler: (request, response) => {
      let body = '';
      request.on('data', (data: Buffer) => {
        body += data.toString();
      });
      request.on('end', () => {
        const target = String(request.headers['x-amz-target'] ?? '');
        if (target !== 'AWSEvents.PutEvents') {
          return reply(response, 400, {
            __type: 'UnknownOperationException',
            message: `${target} is not emulated`,
          });
        }
        const { Entries = [] } = JSON.parse(body || '{}') as { Entries?: PutEventsEntry[] };
        const events = Entries.map((entry) => ({
          eventId: randomUUID(),
          eventBusName: entry.EventBusName ?? 'default',
          source: entry.Source ?? '',
          detailType: entry.DetailType ?? '',
          detail: JSON.parse(entry.Detail ?? '{}') as unknown,
          time: new Date().toISOString(),
        }));
        published.push(...events);
        void appendFile(file, events.map((event) => `${JSON.stringify(event)}\n`).join('')).then(
          () =>
            reply(response, 200, {
              FailedEntryCount: 0,
              Entries: events.map((event) => ({ EventId: event.eventId })),
            }),
          () => reply(response, 500, { __type: 'InternalException', message: 'could not record the events' }),
        );
      });
    },
  };
}
