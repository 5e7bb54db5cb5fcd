/**
 * Execution records on disk, one JSON file per execution, so Describe/List/GetExecutionHistory answer the
 * same after a restart. Files are replaced atomically (temp file, then rename) so a crash never leaves a
 * half-written record.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ExecutionStatus } from '@aws-sdk/client-sfn';
import type { StoredEvent } from './history.ts';

export interface ExecutionRecord {
  executionArn: string;
  stateMachineArn: string;
  stateMachineName: string;
  name: string;
  status: ExecutionStatus;
  input: string;
  output?: string;
  error?: string;
  cause?: string;
  /** Epoch milliseconds. */
  startDate: number;
  stopDate?: number;
  history: StoredEvent[];
}

export class ExecutionStore {
  private readonly dirty = new Set<string>();
  private readonly writing = new Map<string, Promise<void>>();
  private readonly createdDirectories = new Set<string>();

  constructor(private readonly directory: string) {}

  async load(): Promise<ExecutionRecord[]> {
    const records: ExecutionRecord[] = [];
    const machines = await readdir(this.directory, { withFileTypes: true }).catch(
      (error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return [];
        throw error;
      },
    );
    for (const machine of machines.filter((entry) => entry.isDirectory())) {
      const machineDirectory = path.join(this.directory, machine.name);
      for (const name of (await readdir(machineDirectory)).filter((file) => file.endsWith('.json'))) {
        const file = path.join(machineDirectory, name);
        try {
          records.push(JSON.parse(await readFile(file, 'utf8')) as ExecutionRecord);
        } catch (error) {
          throw new Error(`Cannot read the execution record ${file}: ${(error as Error).message}`);
        }
      }
    }
    return records;
  }

  /**
   * Writes the record's current state. Saves of the same record made while a write is in flight are
   * coalesced into one more write; the returned promise settles once the latest state is on disk.
   */
  save(record: ExecutionRecord): Promise<void> {
    const key = record.executionArn;
    this.dirty.add(key);
    let writing = this.writing.get(key);
    if (!writing) {
      writing = (async () => {
        try {
          while (this.dirty.delete(key)) await this.write(record);
        } finally {
          this.writing.delete(key);
        }
      })();
      this.writing.set(key, writing);
    }
    return writing;
  }

  async flush(): Promise<void> {
    while (this.writing.size > 0) await Promise.allSettled([...this.writing.values()]);
  }

  private async write(record: ExecutionRecord): Promise<void> {
    const directory = path.join(this.directory, encodeURIComponent(record.stateMachineName));
    if (!this.createdDirectories.has(directory)) {
      await mkdir(directory, { recursive: true });
      this.createdDirectories.add(directory);
    }
    const file = path.join(directory, `${encodeURIComponent(record.name)}.json`);
    const temporary = `${file}.${randomUUID()}.tmp`;
    await writeFile(temporary, JSON.stringify(record));
    await rename(temporary, file);
  }
}
