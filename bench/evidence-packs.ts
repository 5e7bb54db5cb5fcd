/**
 * Evidence packs: writing and verifying the packs of 200 concluded cases on the local runtime
 * (s3rver for the bucket, DynamoDB Local for the table), each against a baseline of plain S3 requests for
 * the same bytes, measured in the same run, case by case, taking turns at going first.
 *
 * - writePack (write-once puts, the manifest, the conditional pack record) against a plain
 *   PutObject of the same nine files and the same manifest bytes under another prefix;
 * - writePack again on the same cases (a re-run of the conclusion step), which should find the
 *   latest version holds the same files and write nothing;
 * - verifyStoredPack (the pack record, the listing, every object read back and hashed) against a
 *   plain GetObject of the same ten objects.
 *
 * Pack contents are synthetic but shaped like a real concluded case: 1–2 nominations, 2
 * assignments with their history, 2–4 finding versions answering every question of the initial
 * question set, a moderation.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { CasePackContents, PackHistoryEvent } from '../shared/evidence/case-pack.ts';
import type { PackFile } from '../shared/evidence/manifest.ts';
import type { Finding } from '../shared/review/finding.ts';
import type { AnswerCode, QuestionSet } from '../shared/review/question-set.ts';
import type { BenchResult } from './import-throughput.ts';
import { startBenchStack } from './local-stack.ts';

const CASES = 200;
const CREATED_AT = '2027-03-02T12:00:00.000Z';
const BASELINE_PREFIX = 'bench-baseline';
const CODES: readonly AnswerCode[] = ['yes', 'partly', 'no', 'cannot_tell'];

/** `case_` and 26 characters, as case ids are. */
const caseIdOf = (i: number) => `case_evpk${String(i).padStart(22, '0')}`;
const decisionIdOf = (i: number) => `dec_evpk${String(i).padStart(22, '0')}`;

/** One finding version of a reviewer, answering every question of the set with a rationale. */
function finding(
  caseId: string,
  reviewer: string,
  version: number,
  questionSet: QuestionSet,
  amends?: number,
): Finding {
  const answers = Object.fromEntries(
    questionSet.questions.map((question, q) => {
      const code = CODES[(q + version) % CODES.length] as AnswerCode;
      return [
        question.questionId,
        {
          code,
          rationale:
            `Reviewer ${reviewer} on ${question.questionId}: the file shows ${code === 'yes' ? 'this was done' : 'gaps'}; ` +
            'the officer’s log and the supervisor’s review were read in full before answering.',
        },
      ];
    }),
  );
  return {
    findingId: `fnd_${caseId.slice(5, 13)}_${reviewer}_${version}`,
    caseId,
    sittingId: 'sit_bench',
    assignmentId: `asg_${reviewer}`,
    reviewerId: `rev_${reviewer}`,
    version,
    questionSetVersion: questionSet.version,
    answers,
    verdict: version % 2 === 0 ? 'appropriate_with_observations' : 'inappropriate',
    verdictRationale:
      'The decision was open to the officer on the evidence, but supervision was thin and the victim ' +
      'was not kept informed.\nThe file does not record why the second suspect was not interviewed.',
    goodPractice: version > 1 ? 'Early evidence-led approach; ABE interview within 48 hours.' : '',
    learningPoints: [
      { text: 'Record supervisory reviews at each stage, with reasons.', level: 'organisational' },
      { text: 'Tell the victim of the decision and the right to review.', level: 'individual' },
    ],
    recommendations: [
      { text: 'Audit supervision logs in rape investigations.', owner: 'PPU North', dueDate: '2027-06-30' },
    ],
    themes: ['supervision', 'victim communication'],
    submittedAt: `2027-02-1${version}T09:00:00.000Z`,
    submittedBy: `sub-${reviewer}`,
    contentHash: 'c'.repeat(64),
    ...(amends ? { amendment: { amendsVersion: amends, reason: 'Misread the disclosure schedule.' } } : {}),
  };
}

function contents(i: number, questionSet: QuestionSet): CasePackContents {
  const caseId = caseIdOf(i);
  const decisionId = decisionIdOf(i);
  const nominations = Array.from({ length: 1 + (i % 2) }, (_, n) => ({
    nominationId: `nom_${i}_${n}`,
    caseId,
    reasonCodes: n === 0 ? ['victim_dissatisfied', 'delay'] : ['myths_and_stereotypes'],
    freeText:
      n === 0 ? 'The victim was not told of the decision for three months and was not offered a review.' : '',
    nominatedAt: `2026-11-0${n + 1}T10:00:00.000Z`,
  }));
  const reviewers = ['jo', 'sam'];
  const assignments = reviewers.map((reviewer, r) => ({
    assignmentId: `asg_${reviewer}`,
    caseId,
    reviewerId: `rev_${reviewer}`,
    role: r === 0 ? 'lead' : 'reviewer',
    status: 'submitted',
    reason: 'lowest load among independent reviewers',
    dueDate: '2027-02-20',
    assignedAt: `2027-01-0${r + 1}T09:00:00.000Z`,
  }));
  const history: PackHistoryEvent[] = reviewers.flatMap((reviewer, r) => [
    {
      at: `2027-01-0${r + 1}T09:00:00.000Z`,
      action: 'assigned',
      eventId: `evt_${reviewer}_1`,
      caseId,
      reviewerId: `rev_${reviewer}`,
      by: 'system:routing',
      why: 'lowest load',
    },
    {
      at: `2027-02-1${r + 1}T09:00:00.000Z`,
      action: 'submitted',
      eventId: `evt_${reviewer}_2`,
      caseId,
      reviewerId: `rev_${reviewer}`,
      by: `sub-${reviewer}`,
    },
  ]);
  // 2–4 finding versions: each reviewer's first, and amendments on some cases.
  const findings = [finding(caseId, 'jo', 1, questionSet), finding(caseId, 'sam', 1, questionSet)];
  if (i % 3 >= 1) findings.push(finding(caseId, 'jo', 2, questionSet, 1));
  if (i % 3 === 2) findings.push(finding(caseId, 'sam', 2, questionSet, 1));
  return {
    caseId,
    version: 1,
    createdAt: CREATED_AT,
    reviewCase: {
      caseId,
      decisionId,
      origin: { kind: 'nomination' },
      nominators: new Set(nominations.map((_, n) => `sub-isva-${n}`)),
      sittingId: 'sit_bench',
      status: 'CONCLUDED',
      openedAt: '2026-11-01T10:00:00.000Z',
    },
    decision: {
      decisionId,
      offenceGroup: 'rape',
      decisionType: 'police_nfa',
      outcomeCode: '16',
      decisionDate: '2026-10-01',
      unit: 'PPU North',
      summary:
        'Synthetic record: victim withdrew support after delay; suspect not interviewed under caution.',
    },
    nominations,
    provenance: { kind: 'nomination' },
    assignments,
    history,
    findings,
    moderations: [
      {
        caseId,
        sittingId: 'sit_bench',
        outcome: 'agreed',
        note: 'Chair agrees with both reviewers; the amended finding is the one the panel adopts.',
        moderatedBy: 'sub-chair',
        moderatedAt: '2027-03-01T15:00:00.000Z',
      },
    ],
    questionSets: [questionSet],
  };
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const rate = (ms: number) => String(Math.round((CASES / ms) * 1000));
const ratio = (ms: number, baseline: number) => `${(ms / baseline).toFixed(2)}×`;

export async function evidencePacksBench(): Promise<BenchResult> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'scrutineer-packs-bench-'));
  const stack = await startBenchStack(dir);
  const cleanups: (() => void)[] = [];
  try {
    // Imported after the runtime has set the endpoints the shared clients read.
    const { GetObjectCommand, PutObjectCommand } = await import('@aws-sdk/client-s3');
    const { dynamodb, s3 } = await import('../shared/aws-clients.ts');
    const { ENV } = await import('../shared/environment.ts');
    const { casePackFiles } = await import('../shared/evidence/case-pack.ts');
    const { buildManifest, MANIFEST_NAME, manifestKey, packFileKey } = await import(
      '../shared/evidence/manifest.ts'
    );
    const { packVersions, verifyStoredPack, writePack } = await import('../shared/evidence/packs.ts');
    const { INITIAL_QUESTION_SET } = await import('../shared/review/question-set.ts');

    process.env[ENV.evidenceBucket] ??= stack.runtime.physicalName('StorageEvidence');
    process.env[ENV.mainTable] ??= stack.runtime.physicalName('TablesMain');
    const bucket = String(process.env[ENV.evidenceBucket]);

    // Requests by client, counted on the shared clients writePack and verifyStoredPack use.
    const requests = { s3: 0, s3Puts: 0, dynamodb: 0, dynamodbWrites: 0 };
    s3.middlewareStack.add(
      (next, context) => async (args) => {
        requests.s3++;
        if (context.commandName === 'PutObjectCommand') requests.s3Puts++;
        return next(args);
      },
      { step: 'initialize', name: 'countPackBenchRequests' },
    );
    dynamodb.middlewareStack.add(
      (next, context) => async (args) => {
        requests.dynamodb++;
        if (/^(Put|Update|Delete|BatchWrite|TransactWrite)/.test(String(context.commandName)))
          requests.dynamodbWrites++;
        return next(args);
      },
      { step: 'initialize', name: 'countPackBenchRequests' },
    );
    cleanups.push(
      () => s3.middlewareStack.remove('countPackBenchRequests'),
      () => dynamodb.middlewareStack.remove('countPackBenchRequests'),
    );
    const counted = async (run: () => Promise<void>) => {
      const before = { ...requests };
      await run();
      return {
        s3: requests.s3 - before.s3,
        s3Puts: requests.s3Puts - before.s3Puts,
        dynamodb: requests.dynamodb - before.dynamodb,
        dynamodbWrites: requests.dynamodbWrites - before.dynamodbWrites,
      };
    };

    const cases = Array.from({ length: CASES }, (_, i) => {
      const caseId = caseIdOf(i);
      const files = casePackFiles(contents(i, INITIAL_QUESTION_SET));
      const subject = { kind: 'case', id: caseId } as const;
      const built = buildManifest(subject, 1, CREATED_AT, files);
      const bytes =
        files.reduce((sum, file) => sum + Buffer.byteLength(file.content), 0) +
        Buffer.byteLength(built.manifestText);
      return { subject, files, built, bytes };
    });
    const objects = (files: readonly PackFile[], manifestText: string) => [
      ...files.map((file) => ({ name: file.name, body: file.content, contentType: file.contentType })),
      { name: MANIFEST_NAME, body: manifestText, contentType: 'application/json' },
    ];

    const putPlain = async ({ subject, files, built }: (typeof cases)[number]) => {
      for (const object of objects(files, built.manifestText)) {
        await s3.send(
          new PutObjectCommand({
            Bucket: bucket,
            Key: `${BASELINE_PREFIX}/${subject.id}/${object.name}`,
            Body: object.body,
            ContentType: object.contentType,
          }),
        );
      }
    };
    const write = ({ subject, files }: (typeof cases)[number]) =>
      writePack(subject, () => ({ files, createdAt: CREATED_AT }));
    const getPlain = async ({ subject, files }: (typeof cases)[number]) => {
      const keys = [manifestKey(subject, 1), ...files.map((file) => packFileKey(subject, 1, file.name))];
      await Promise.all(
        keys.map(async (key) => {
          const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
          await object.Body?.transformToByteArray();
        }),
      );
    };

    // Warm-up on cases outside the measured set: connections, JIT, the stand-ins' first files.
    for (let i = 0; i < 5; i++) {
      const warm = (() => {
        const subject = { kind: 'case', id: caseIdOf(CASES + i) } as const;
        const files = casePackFiles(contents(CASES + i, INITIAL_QUESTION_SET));
        return { subject, files, built: buildManifest(subject, 1, CREATED_AT, files), bytes: 0 };
      })();
      await putPlain(warm);
      await write(warm);
      await write(warm);
      await getPlain(warm);
      await verifyStoredPack(warm.subject);
    }

    /** Runs both for every case, taking turns at going first; the total time of each. */
    const paired = async (
      first: (item: (typeof cases)[number]) => Promise<unknown>,
      second: (item: (typeof cases)[number]) => Promise<unknown>,
    ) => {
      const totals = [0, 0];
      for (const [i, item] of cases.entries()) {
        const order = i % 2 === 0 ? ([0, 1] as const) : ([1, 0] as const);
        for (const which of order) {
          const started = performance.now();
          await (which === 0 ? first(item) : second(item));
          totals[which] = (totals[which] ?? 0) + performance.now() - started;
        }
      }
      return totals as [number, number];
    };

    // (a) and (b): writePack against plain puts of the same bytes.
    let writeCounts = { s3: 0, s3Puts: 0, dynamodb: 0, dynamodbWrites: 0 };
    let plainPutCounts = { s3: 0, s3Puts: 0, dynamodb: 0, dynamodbWrites: 0 };
    const versions: number[] = [];
    const manifestsMatch: boolean[] = [];
    const [plainPutMs, writeMs] = await paired(
      async (item) => {
        const counts = await counted(() => putPlain(item));
        plainPutCounts = add(plainPutCounts, counts);
      },
      async (item) => {
        const counts = await counted(async () => {
          const record = await write(item);
          versions.push(record.version);
          manifestsMatch.push(record.manifestSha256 === item.built.manifestSha256);
        });
        writeCounts = add(writeCounts, counts);
      },
    );

    // (c): the same writes again, timed against the plain puts measured above.
    const rerunVersions: number[] = [];
    const rerunStarted = performance.now();
    const rerunCounts = await counted(async () => {
      for (const item of cases) rerunVersions.push((await write(item)).version);
    });
    const rerunMs = performance.now() - rerunStarted;
    let versionsAfter = 0;
    for (const item of cases) versionsAfter += (await packVersions(item.subject)).length;

    // (d): verifyStoredPack against plain gets of the same objects.
    let verifyCounts = { s3: 0, s3Puts: 0, dynamodb: 0, dynamodbWrites: 0 };
    let plainGetCounts = { s3: 0, s3Puts: 0, dynamodb: 0, dynamodbWrites: 0 };
    let verified = 0;
    const [plainGetMs, verifyMs] = await paired(
      async (item) => {
        plainGetCounts = add(plainGetCounts, await counted(() => getPlain(item)));
      },
      async (item) => {
        const counts = await counted(async () => {
          if ((await verifyStoredPack(item.subject)).ok) verified++;
        });
        verifyCounts = add(verifyCounts, counts);
      },
    );

    const bytesPerPack = Math.round(cases.reduce((sum, item) => sum + item.bytes, 0) / CASES);
    const perPack = (counts: typeof writeCounts) =>
      `${(counts.s3 / CASES).toFixed(1)} / ${(counts.dynamodb / CASES).toFixed(1)}`;
    const written = versions.filter((version) => version === 1).length;
    const matching = manifestsMatch.filter(Boolean).length;
    const rerunSame = rerunVersions.filter((version) => version === 1).length;
    return {
      name: `Evidence packs: writing and verifying ${CASES} case packs (local runtime, ${(bytesPerPack / 1024).toFixed(1)} KiB and 10 objects per pack)`,
      header:
        '| operation | time | packs/s | against its baseline | S3 / DynamoDB requests per pack | check |\n|---|---|---|---|---|---|',
      lines: [
        `| plain PutObject of the files and manifest (baseline) | ${seconds(plainPutMs)} | ${rate(plainPutMs)} | 1.00× | ${perPack(plainPutCounts)} | ${plainPutCounts.s3Puts} puts |`,
        `| writePack | ${seconds(writeMs)} | ${rate(writeMs)} | ${ratio(writeMs, plainPutMs)} | ${perPack(writeCounts)} | ${written}/${CASES} written as v1, ${matching}/${CASES} manifests as built, ${writeCounts.s3Puts} puts, ${writeCounts.dynamodbWrites} records |`,
        `| writePack again, same files (re-run) | ${seconds(rerunMs)} | ${rate(rerunMs)} | ${ratio(rerunMs, plainPutMs)} | ${perPack(rerunCounts)} | ${rerunSame}/${CASES} returned v1, ${rerunCounts.s3Puts} puts, ${rerunCounts.dynamodbWrites} records, ${versionsAfter} versions stored |`,
        `| plain GetObject of the 10 objects (baseline) | ${seconds(plainGetMs)} | ${rate(plainGetMs)} | 1.00× | ${perPack(plainGetCounts)} | |`,
        `| verifyStoredPack | ${seconds(verifyMs)} | ${rate(verifyMs)} | ${ratio(verifyMs, plainGetMs)} | ${perPack(verifyCounts)} | ${verified}/${CASES} verified ok |`,
      ],
      notes:
        'Each pack is 9 files (eight canonical JSON files and the HTML pack) and the manifest, written one case ' +
        'after another; each operation and its baseline take turns at going first, case by case, so both see the ' +
        'store in the same state. What separates writePack from the plain puts: the query for the versions ' +
        'already written, the manifest (hashing every file), a HeadObject before every put (write-once: a put ' +
        'is made only where nothing is, and is conditional on there being nothing), and the conditional put of ' +
        'the pack record carrying the manifest hash; when an object is already there (a retry after a partial ' +
        'write), it is read back and compared, which none of these first writes needed. s3rver ignores ' +
        'If-None-Match on a put, so locally the condition costs nothing and the HEAD is the only guard. ' +
        'The re-run makes only the query and hashes the files against the latest version, so it writes ' +
        'nothing and is compared with the plain puts it spares. What separates verifyStoredPack from the plain gets (all ten in parallel): ' +
        'the query for the pack record, the listing of the prefix (so an unlisted file shows), reading the ' +
        'manifest before the files it names (the files are then read in parallel), and the hashes.',
    };
  } finally {
    for (const cleanup of cleanups) cleanup();
    await stack.close();
    await rm(dir, { recursive: true, force: true });
  }
}

function add<T extends Record<string, number>>(total: T, more: T): T {
  return Object.fromEntries(
    Object.entries(total).map(([key, value]) => [key, value + (more[key] ?? 0)]),
  ) as T;
}
