/**
 * Transactions on the main table, for invariants that span items. One `transactWrite` call puts,
 * updates, deletes and checks up to 100 items all or nothing.
 *
 * - Idempotency: every call sends a ClientRequestToken derived from the items themselves, so the
 *   same change sent again within ten minutes (a retried step, a resent request whose answer was
 *   lost) succeeds once and changes nothing more. A different change never shares a token.
 * - Conflicts with a concurrent transaction on the same items (`TransactionConflict`, or the same
 *   token still in progress) are retried here, with jittered backoff: they say nothing about the
 *   state, only about timing.
 * - A condition that fails cancels everything and is reported as a `TransactionRefused` naming the
 *   items (by the caller's labels) whose conditions failed, with their stored values when the
 *   item asked for them, so the caller maps it to a domain answer (a 409, "already done").
 */
import { createHash } from 'node:crypto';
import {
  type AttributeValue,
  TransactionCanceledException,
  TransactionInProgressException,
} from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { documents } from '../aws-clients.ts';
import { canonicalJson } from '../canonical-json.ts';

export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** One item of a transaction, with a label that names it in a refusal. */
export interface LabelledItem<Label extends string = string> {
  readonly label: Label;
  readonly item: TransactItem;
}

export const MAX_TRANSACTION_ITEMS = 100;

/** A transaction cancelled because the conditions of these items failed. */
export class TransactionRefused<Label extends string = string> extends Error {
  constructor(
    readonly failed: readonly Label[],
    /** The stored item of each failed label that asked for it (ReturnValuesOnConditionCheckFailure). */
    readonly stored: ReadonlyMap<Label, Record<string, unknown>>,
  ) {
    super(`Transaction refused: the condition on ${failed.join(', ')} failed`);
    this.name = 'TransactionRefused';
  }

  has(label: Label): boolean {
    return this.failed.includes(label);
  }
}

/** The token for a change: the same items always give the same token, different items another. */
export function idempotencyToken(items: readonly TransactItem[]): string {
  return createHash('sha256').update(canonicalJson(items)).digest('base64url').slice(0, 36);
}

const CONFLICT_ATTEMPTS = 12;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Writes the items in one transaction. Throws `TransactionRefused` when a condition fails; retries
 * conflicts with concurrent transactions. Throws for more than 100 items: a change that large is
 * a resumable sequence of its own, not one transaction.
 */
export async function transactWrite<Label extends string>(
  labelled: readonly LabelledItem<Label>[],
): Promise<void> {
  if (labelled.length === 0) return;
  if (labelled.length > MAX_TRANSACTION_ITEMS) {
    throw new Error(`A transaction takes at most ${MAX_TRANSACTION_ITEMS} items, not ${labelled.length}`);
  }
  const items = labelled.map((entry) => entry.item);
  const token = idempotencyToken(items);
  for (let attempt = 1; ; attempt += 1) {
    try {
      await documents.send(new TransactWriteCommand({ TransactItems: items, ClientRequestToken: token }));
      return;
    } catch (error) {
      const reasons = error instanceof TransactionCanceledException ? (error.CancellationReasons ?? []) : [];
      const failed = reasons.flatMap((reason, index) =>
        reason.Code === 'ConditionalCheckFailed' ? [index] : [],
      );
      if (failed.length > 0) {
        const stored = new Map<Label, Record<string, unknown>>();
        for (const index of failed) {
          const raw = reasons[index]?.Item;
          const label = labelled[index]?.label as Label;
          if (raw) stored.set(label, unmarshall(raw as Record<string, AttributeValue>));
        }
        throw new TransactionRefused(
          failed.map((index) => labelled[index]?.label as Label),
          stored,
        );
      }
      const retryable =
        error instanceof TransactionInProgressException ||
        (error instanceof TransactionCanceledException &&
          reasons.some((reason) => reason.Code === 'TransactionConflict'));
      if (!retryable || attempt >= CONFLICT_ATTEMPTS) throw error;
      await sleep(Math.random() * Math.min(1_000, 10 * 2 ** attempt));
    }
  }
}
