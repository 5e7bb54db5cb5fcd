/** Requesting, reading and downloading dip samples, for the audit team. */
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { z } from 'zod';
import { s3 } from '../aws-clients.ts';
import { canonicalJson } from '../canonical-json.ts';
import { ENV, requireEnv } from '../environment.ts';
import { ConflictError, NotFoundError, ValidationError } from '../errors.ts';
import type { Principal } from '../http/principal.ts';
import { deterministicId } from '../ids.ts';
import { startExecutionOnce } from '../start-execution.ts';
import {
  type CreateSampleRequest,
  type SampleRecord,
  TOP_UP_CONFIRM_ABOVE,
  type TopUpRequestSchema,
} from './sample.ts';
import { createSampleRecord, getStoredSample, listSampleRecords } from './sample-store.ts';
import { newSeed, seedCommitment } from './selection.ts';

export const MANIFEST_LINK_TTL_SECONDS = 5 * 60;

/**
 * Commits the seed (its SHA-256 is recorded now, before any decision is seen) and starts the
 * draw. The id comes from the requester, the day and the request, so a retried request finds the
 * sample it already created instead of drawing a second one; a deliberate repeat gets a label.
 */
export async function requestSample(
  request: CreateSampleRequest,
  principal: Principal,
  now = new Date(),
): Promise<{ sample: SampleRecord; created: boolean }> {
  const day = now.toISOString().slice(0, 10);
  const sampleId = deterministicId('smp', principal.subject, day, canonicalJson(request));
  const { seed: chosenSeed, ...withoutSeed } = request;
  const seed = chosenSeed ?? newSeed();
  const record: SampleRecord = {
    sampleId,
    ...(request.label ? { label: request.label } : {}),
    request: withoutSeed,
    seedCommitment: seedCommitment(seed),
    status: 'REQUESTED',
    requestedBy: principal.subject,
    requestedAt: now.toISOString(),
  };
  const created = await createSampleRecord(record, seed);
  const sample = created ? record : (await getStoredSample(sampleId)).record;
  await startDraw(sampleId, principal);
  return { sample, created };
}

/**
 * Draws more from a drawn sample without changing what it drew: a new sample with the same seed,
 * drawn from the population listing of the first (the same eligible decisions, whatever was
 * imported or reviewed since) less every decision it and its earlier top-ups picked, so it takes
 * exactly the next-lowest ranks. Refused when fewer decisions remain than asked for, and above
 * TOP_UP_CONFIRM_ABOVE unless confirmed. Retried the same day, the same top-up is found again.
 */
export async function requestTopUp(
  parentId: string,
  topUp: z.infer<typeof TopUpRequestSchema>,
  principal: Principal,
  now = new Date(),
): Promise<SampleRecord> {
  const { record: parent, seed } = await getStoredSample(parentId);
  if (parent.topUpOf)
    throw new ConflictError(`Sample ${parentId} is itself a top-up; top up ${parent.topUpOf}`);
  if (parent.status !== 'SELECTED') throw new ConflictError(`Sample ${parentId} has not been drawn`);
  if (parent.request.design.type === 'census')
    throw new ConflictError('A census already holds every decision');
  if (!parent.populationKey)
    throw new ConflictError(`Sample ${parentId} was drawn without a population listing to top up from`);
  const sampleId = deterministicId(
    'smp',
    parentId,
    'top-up',
    now.toISOString().slice(0, 10),
    canonicalJson({ additional: topUp.additional, label: topUp.label }),
  );
  const existing = await getStoredSample(sampleId).catch((error: Error) => {
    if (error instanceof NotFoundError) return undefined;
    throw error;
  });
  if (existing) {
    await startDraw(sampleId, principal);
    return existing.record;
  }
  const topUps = (await listSampleRecords(1000)).filter(
    (sample) => sample.topUpOf === parentId && !['FAILED', 'EMPTY_POPULATION'].includes(sample.status),
  );
  const taken = topUps.reduce((sum, sample) => sum + (sample.drawnSize ?? sample.request.size ?? 0), 0);
  const remaining = (parent.populationSize ?? 0) - (parent.drawnSize ?? 0) - taken;
  if (topUp.additional > remaining) {
    throw new ConflictError(
      `${topUp.additional} more requested, but only ${remaining} of the ${parent.populationSize} decisions ` +
        `sample ${parentId} was drawn from remain undrawn (${parent.drawnSize} drawn, ${taken} by top-ups)`,
    );
  }
  if (topUp.additional > TOP_UP_CONFIRM_ABOVE && topUp.confirm !== true) {
    throw new ValidationError(
      `A top-up of ${topUp.additional} opens ${topUp.additional} review cases; send confirm: true to draw it`,
      [
        {
          field: 'body.confirm',
          reason: `required for a top-up of more than ${TOP_UP_CONFIRM_ABOVE} decisions (${topUp.additional} asked)`,
        },
      ],
    );
  }
  const design =
    parent.request.design.allocation === 'fixed'
      ? {
          type: parent.request.design.type,
          strataBy: parent.request.design.strataBy,
          allocation: 'proportional' as const,
        }
      : parent.request.design;
  const record: SampleRecord = {
    sampleId,
    label: topUp.label ?? `top-up of ${parentId}`,
    request: { ...parent.request, design, size: topUp.additional, precision: undefined },
    seedCommitment: parent.seedCommitment,
    status: 'REQUESTED',
    requestedBy: principal.subject,
    requestedAt: now.toISOString(),
    topUpOf: parentId,
  };
  const created = await createSampleRecord(record, seed);
  await startDraw(sampleId, principal);
  return created ? record : (await getStoredSample(sampleId)).record;
}

async function startDraw(sampleId: string, principal: Principal): Promise<void> {
  await startExecutionOnce(requireEnv(ENV.sampleStateMachine), sampleId, {
    sampleId,
    requestedBy: { subject: principal.subject, roles: [...principal.roles] },
  });
}

/** The sample, and its seed once drawn (the manifest reveals it then anyway). */
export async function sampleView(sampleId: string): Promise<SampleRecord & { seed?: string }> {
  const { record, seed } = await getStoredSample(sampleId);
  return record.status === 'SELECTED' ? { ...record, seed } : record;
}

export async function manifestLinks(sampleId: string, now = new Date()) {
  const { record } = await getStoredSample(sampleId);
  if (record.status !== 'SELECTED' || !record.manifestKey)
    throw new NotFoundError(`Sample ${sampleId} has no manifest yet`);
  const bucket = requireEnv(ENV.evidenceBucket);
  const link = (key: string) =>
    getSignedUrl(s3, new GetObjectCommand({ Bucket: bucket, Key: key }), {
      expiresIn: MANIFEST_LINK_TTL_SECONDS,
    });
  return {
    json: await link(record.manifestKey),
    csv: await link(record.manifestKey.replace(/\.json$/, '.csv')),
    ...(record.populationKey ? { population: await link(record.populationKey) } : {}),
    expiresAt: new Date(now.getTime() + MANIFEST_LINK_TTL_SECONDS * 1000).toISOString(),
  };
}
