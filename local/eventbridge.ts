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
import { awsJsonService } from './aws-json-service.ts';

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
  return {
    published,
    handler: awsJsonService({
      'AWSEvents.PutEvents': async ({ Entries = [] }) => {
        const events = (Entries as PutEventsEntry[]).map((entry) => ({
          eventId: randomUUID(),
          eventBusName: entry.EventBusName ?? 'default',
          source: entry.Source ?? '',
          detailType: entry.DetailType ?? '',
          detail: JSON.parse(entry.Detail ?? '{}') as unknown,
          time: new Date().toISOString(),
        }));
        published.push(...events);
        await appendFile(file, events.map((event) => `${JSON.stringify(event)}\n`).join(''));
        return {
          status: 200,
          body: { FailedEntryCount: 0, Entries: events.map((event) => ({ EventId: event.eventId })) },
        };
      },
    }),
  };
}
