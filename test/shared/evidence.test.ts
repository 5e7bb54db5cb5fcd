import { createHash } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { canonicalJson } from '../../shared/canonical-json.ts';
import { CASE_PACK_FILES, type CasePackContents, casePackFiles } from '../../shared/evidence/case-pack.ts';
import {
  type BuiltManifest,
  buildManifest,
  MANIFEST_NAME,
  manifestKey,
  type PackFile,
  packPrefix,
  sha256Hex,
  verifyPack,
} from '../../shared/evidence/manifest.ts';
import { type Finding, FindingSchema } from '../../shared/review/finding.ts';
import { INITIAL_QUESTION_SET, type QuestionSet } from '../../shared/review/question-set.ts';

const nodeSha256 = (content: string | Uint8Array) => createHash('sha256').update(content).digest('hex');
const bytes = (content: string | Uint8Array) =>
  typeof content === 'string' ? new TextEncoder().encode(content) : content;

const CASE_ID = 'case_0123456789abcdefghjkmnpqrs';
const SUBJECT = { kind: 'case', id: CASE_ID } as const;
const CREATED_AT = '2027-02-01T10:00:00.000Z';
const SCRIPT = '<script>alert("pwned")</script>';

const QUESTION_SET_2: QuestionSet = {
  ...INITIAL_QUESTION_SET,
  version: 2,
  title: 'Terms of reference, revised',
  publishedAt: '2027-01-15T00:00:00.000Z',
  questions: [
    ...INITIAL_QUESTION_SET.questions,
    { questionId: 'interpreter', text: 'Was an interpreter offered where needed?', required: false },
  ],
};

function finding(version: number, overrides: Partial<Finding> = {}): Finding {
  return FindingSchema.parse({
    findingId: `fnd_rev_jo_${version}`,
    caseId: CASE_ID,
    sittingId: 'sit_2027q1',
    assignmentId: 'asg_jo',
    reviewerId: 'rev_jo',
    version,
    questionSetVersion: 1,
    answers: {
      lines_of_enquiry: { code: 'partly', rationale: `CCTV not sought ${SCRIPT}` },
      outcome_code_correct: { code: 'yes', rationale: 'Outcome 16 fits the file.' },
    },
    verdict: 'appropriate_with_observations',
    verdictRationale: 'Sound decision, thin supervision.\nSecond line.',
    goodPractice: '',
    learningPoints: [{ text: `Record supervision ${SCRIPT}`, level: 'organisational' }],
    recommendations: [{ text: 'Audit supervision logs', owner: 'PPU North', dueDate: '2027-06-30' }],
    themes: ['supervision'],
    submittedAt: `2027-01-2${version}T09:00:00.000Z`,
    submittedBy: 'sub-jo',
    contentHash: 'a'.repeat(64),
    ...overrides,
  });
}

function contents(overrides: Partial<CasePackContents> = {}): CasePackContents {
  return {
    caseId: CASE_ID,
    version: 1,
    createdAt: CREATED_AT,
    reviewCase: {
      caseId: CASE_ID,
      decisionId: 'dec_0123456789abcdefghjkmnpqrs',
      origin: { kind: 'nomination' },
      nominators: new Set(['sub-isva-2', 'sub-isva-1']),
      sittingId: 'sit_2027q1',
      status: 'CONCLUDED',
      openedAt: '2026-11-01T00:00:00.000Z',
    },
    decision: {
      decisionId: 'dec_0123456789abcdefghjkmnpqrs',
      offenceGroup: 'rape',
      outcomeCode: '16',
      summary: `Synthetic record. ${SCRIPT}`,
    },
    nominations: [
      {
        nominationId: 'nom_b',
        caseId: CASE_ID,
        reasonCodes: ['victim_dissatisfied', 'delay'],
        freeText: `The victim was not told. ${SCRIPT}`,
        nominatedAt: '2026-11-02T00:00:00.000Z',
      },
      {
        nominationId: 'nom_a',
        caseId: CASE_ID,
        reasonCodes: ['myths_and_stereotypes'],
        freeText: '',
        nominatedAt: '2026-11-01T00:00:00.000Z',
      },
    ],
    provenance: { kind: 'nomination' },
    assignments: [
      {
        assignmentId: 'asg_jo',
        caseId: CASE_ID,
        reviewerId: 'rev_jo',
        role: 'reviewer',
        status: 'submitted',
        reason: 'lowest load',
        dueDate: '2027-01-31',
        assignedAt: '2026-12-01T00:00:00.000Z',
      },
    ],
    history: [
      {
        at: '2026-12-01T00:00:00.000Z',
        action: 'assigned',
        eventId: 'evt_1',
        reviewerId: 'rev_jo',
        by: 'system:routing',
        why: 'lowest load',
      },
    ],
    findings: [
      finding(2, { amendment: { amendsVersion: 1, reason: `Misread the file ${SCRIPT}` } }),
      finding(1),
    ],
    moderations: [{ outcome: 'agreed', note: `Chair agrees ${SCRIPT}` }],
    questionSets: [INITIAL_QUESTION_SET],
    ...overrides,
  };
}

/** A pack as stored: its files and manifest by name, the manifest hash as the database holds it. */
function storedPack(files: readonly PackFile[]): { store: Map<string, Uint8Array>; built: BuiltManifest } {
  const built = buildManifest(SUBJECT, 1, CREATED_AT, files);
  const store = new Map(files.map((file) => [file.name, bytes(file.content)]));
  store.set(MANIFEST_NAME, bytes(built.manifestText));
  return { store, built };
}

const verifyStored = (store: Map<string, Uint8Array>, expectedManifestSha256: string) =>
  verifyPack({
    expectedManifestSha256,
    manifestText: store.get(MANIFEST_NAME),
    fetch: async (name) => store.get(name),
    present: [...store.keys()],
  });

describe('the manifest', () => {
  it('hashes a string as its UTF-8 bytes and bytes as they are, as node:crypto does', () => {
    const text = 'Victim’s voice — recorded ✓';
    expect(sha256Hex(text)).toBe(nodeSha256(Buffer.from(text, 'utf8')));
    const raw = new Uint8Array([0, 1, 2, 255]);
    expect(sha256Hex(raw)).toBe(nodeSha256(raw));
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('lists every file by name with its size and SHA-256, not itself, and is hashed as stored', () => {
    const files: PackFile[] = [
      { name: 'z.json', contentType: 'application/json', content: '{"ü":1}\n' },
      { name: 'a.bin', contentType: 'application/octet-stream', content: new Uint8Array([1, 2, 3]) },
    ];

    const { manifest, manifestText, manifestSha256 } = buildManifest(SUBJECT, 1, CREATED_AT, files);

    expect(manifest.files).toEqual([
      {
        name: 'a.bin',
        contentType: 'application/octet-stream',
        bytes: 3,
        sha256: nodeSha256(new Uint8Array([1, 2, 3])),
      },
      { name: 'z.json', contentType: 'application/json', bytes: 9, sha256: nodeSha256('{"ü":1}\n') },
    ]);
    expect(manifest).toMatchObject({
      manifestVersion: 1,
      subject: SUBJECT,
      version: 1,
      algorithm: 'SHA-256',
    });
    expect(manifestSha256).toBe(nodeSha256(manifestText));
    expect(manifestText.endsWith('}\n')).toBe(true);
    expect(manifestText).toContain('\n  "algorithm": "SHA-256",\n');
    expect(JSON.parse(manifestText)).toEqual(manifest);
    expect(manifestText).not.toContain(MANIFEST_NAME);
  });

  it('names the version a correction supersedes, and why', () => {
    const previous = {
      version: 1,
      manifestSha256: 'b'.repeat(64),
      reason: 'Finding amended after moderation',
    };

    const { manifest } = buildManifest(
      SUBJECT,
      2,
      CREATED_AT,
      [{ name: 'case.json', contentType: 'application/json', content: '{}\n' }],
      previous,
    );

    expect(manifest.previous).toEqual(previous);
    expect(() =>
      buildManifest(SUBJECT, 1, CREATED_AT, [{ name: 'case.json', contentType: 'x', content: '' }], previous),
    ).toThrow(/supersedes an earlier version/);
  });

  it('refuses files it could not vouch for: duplicates, itself, names that are not plain file names', () => {
    const file = (name: string): PackFile => ({ name, contentType: 'text/plain', content: 'x' });
    expect(() => buildManifest(SUBJECT, 1, CREATED_AT, [file('a.txt'), file('a.txt')])).toThrow(
      /listed twice/,
    );
    expect(() => buildManifest(SUBJECT, 1, CREATED_AT, [file(MANIFEST_NAME)])).toThrow(
      /does not list itself/,
    );
    expect(() => buildManifest(SUBJECT, 1, CREATED_AT, [file('../case.json')])).toThrow(/without folders/);
  });

  it('is the same bytes for the same data in whatever order it was assembled', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, 1], c: undefined }, s: new Set(['y', 'x']) })).toBe(
      '{\n  "a": {\n    "d": [\n      2,\n      1\n    ]\n  },\n  "b": 1,\n  "s": [\n    "x",\n    "y"\n  ]\n}\n',
    );
  });

  it('keeps each version of a pack under its own prefix', () => {
    expect(packPrefix(SUBJECT, 1)).toBe(`packs/cases/${CASE_ID}/v0001/`);
    expect(packPrefix({ kind: 'sitting', id: 'sit_2027q1' }, 12)).toBe('packs/sittings/sit_2027q1/v0012/');
    expect(manifestKey(SUBJECT, 2)).toBe(`packs/cases/${CASE_ID}/v0002/manifest.json`);
    expect(() => packPrefix({ kind: 'case', id: '../other' }, 1)).toThrow(/not a case id/);
    expect(() => packPrefix(SUBJECT, 0)).toThrow(/positive whole number/);
  });
});

describe('verifying a pack', () => {
  let store: Map<string, Uint8Array>;
  let built: BuiltManifest;
  beforeEach(() => {
    ({ store, built } = storedPack(casePackFiles(contents())));
  });

  it('passes an intact pack, file by file', async () => {
    const verification = await verifyStored(store, built.manifestSha256);

    expect(verification.ok).toBe(true);
    expect(verification.manifestSha256).toEqual({
      expected: built.manifestSha256,
      actual: built.manifestSha256,
      ok: true,
    });
    expect(verification.files.map((file) => file.name)).toEqual([...CASE_PACK_FILES]);
    expect(verification.files.every((file) => file.ok && file.actual === file.expected)).toBe(true);
    expect(verification.unexpected).toBeUndefined();
  });

  it('names a file changed after the pack was written', async () => {
    const altered = '{"verdict":"consistent"}\n';
    store.set('findings.json', bytes(altered));

    const verification = await verifyStored(store, built.manifestSha256);

    expect(verification.ok).toBe(false);
    expect(verification.manifestSha256.ok).toBe(true);
    expect(verification.files.filter((file) => !file.ok)).toEqual([
      {
        name: 'findings.json',
        expected: built.manifest.files.find((file) => file.name === 'findings.json')?.sha256,
        actual: nodeSha256(altered),
        ok: false,
        problem: 'altered',
      },
    ]);
  });

  it('names a file that has gone', async () => {
    store.delete('decision.json');

    const verification = await verifyStored(store, built.manifestSha256);

    expect(verification.ok).toBe(false);
    expect(verification.files.filter((file) => !file.ok)).toMatchObject([
      { name: 'decision.json', ok: false, problem: 'missing' },
    ]);
    expect(verification.files.find((file) => file.name === 'decision.json')?.actual).toBeUndefined();
  });

  it('catches a manifest rewritten to match an altered file, and still checks the files it lists', async () => {
    const altered = '{"verdict":"consistent"}\n';
    const forged = JSON.parse(new TextDecoder().decode(store.get(MANIFEST_NAME))) as {
      files: { name: string; sha256: string; bytes: number }[];
    };
    for (const file of forged.files) {
      if (file.name === 'findings.json') Object.assign(file, { sha256: nodeSha256(altered), bytes: 25 });
    }
    const forgedText = canonicalJson(forged);
    store.set('findings.json', bytes(altered));
    store.set(MANIFEST_NAME, bytes(forgedText));

    const verification = await verifyStored(store, built.manifestSha256);

    expect(verification.ok).toBe(false);
    expect(verification.manifestSha256).toEqual({
      expected: built.manifestSha256,
      actual: nodeSha256(forgedText),
      ok: false,
      problem: 'altered',
    });
    expect(verification.files).toHaveLength(CASE_PACK_FILES.length);
    expect(verification.files.every((file) => file.ok)).toBe(true);
  });

  it('reports a missing or unreadable manifest without checking anything against it', async () => {
    const missing = new Map(store);
    missing.delete(MANIFEST_NAME);
    const garbled = new Map(store).set(MANIFEST_NAME, bytes('not json'));

    const [noManifest, notAManifest] = await Promise.all([
      verifyStored(missing, built.manifestSha256),
      verifyStored(garbled, built.manifestSha256),
    ]);

    expect(noManifest).toEqual({
      ok: false,
      manifestSha256: { expected: built.manifestSha256, ok: false, problem: 'missing' },
      files: [],
    });
    expect(notAManifest.manifestSha256).toMatchObject({ ok: false, problem: 'altered' });
    expect(notAManifest.files).toEqual([]);
  });

  it('flags a file slipped into the pack that the manifest does not vouch for', async () => {
    store.set('extra-finding.json', bytes('{}'));

    const verification = await verifyStored(store, built.manifestSha256);

    expect(verification.ok).toBe(false);
    expect(verification.unexpected).toEqual(['extra-finding.json']);
    expect(verification.files.every((file) => file.ok)).toBe(true);
  });
});

describe('a case pack', () => {
  const html = (files: readonly PackFile[]) =>
    String(files.find((file) => file.name === 'pack.html')?.content);
  const json = (files: readonly PackFile[], name: string) =>
    JSON.parse(String(files.find((file) => file.name === name)?.content)) as unknown;

  it('has the same nine files, byte for byte, whatever order the records came in', () => {
    const first = casePackFiles(contents());
    const shuffled = contents();

    const second = casePackFiles({
      ...shuffled,
      nominations: [...shuffled.nominations].reverse(),
      findings: [...shuffled.findings].reverse(),
      questionSets: [INITIAL_QUESTION_SET, INITIAL_QUESTION_SET],
      reviewCase: {
        ...Object.fromEntries(Object.entries(shuffled.reviewCase).reverse()),
      } as CasePackContents['reviewCase'],
    });

    expect(first.map((file) => file.name)).toEqual([...CASE_PACK_FILES]);
    expect(second).toEqual(first);
    expect(buildManifest(SUBJECT, 1, CREATED_AT, second).manifestSha256).toBe(
      buildManifest(SUBJECT, 1, CREATED_AT, first).manifestSha256,
    );
  });

  it('carries the records as JSON, assignments with their history, every finding version', () => {
    const files = casePackFiles(contents());

    expect(json(files, 'case.json')).toMatchObject({
      caseId: CASE_ID,
      nominators: ['sub-isva-1', 'sub-isva-2'],
    });
    expect(json(files, 'assignments.json')).toMatchObject({
      assignments: [{ assignmentId: 'asg_jo' }],
      history: [{ action: 'assigned', eventId: 'evt_1' }],
    });
    expect((json(files, 'findings.json') as Finding[]).map((item) => item.version)).toEqual([1, 2]);
    expect(
      (json(files, 'nominations.json') as { nominationId: string }[]).map((n) => n.nominationId),
    ).toEqual(['nom_a', 'nom_b']);
    expect(json(files, 'question-sets.json')).toEqual([INITIAL_QUESTION_SET]);
    expect(files.every((file) => String(file.content).endsWith('\n'))).toBe(true);
  });

  it('states "no moderation" in its moderation file', () => {
    const files = casePackFiles(contents({ moderations: [] }));

    expect(files.find((file) => file.name === 'moderation.json')?.content).toBe('[]\n');
    expect(html(files)).toContain('Not moderated.');
  });

  it('renders typed text as text: a <script> in any free-text field comes out escaped', () => {
    const page = html(casePackFiles(contents()));

    expect(page).not.toContain('<script');
    expect(page).toContain('&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;');
    for (const text of [
      'The victim was not told.',
      'CCTV not sought',
      'Record supervision',
      'Misread the file',
    ]) {
      expect(page).toContain(text);
    }
    expect(page).toContain('Chair agrees');
  });

  it('reads each finding against the questions of its question-set version', () => {
    const second = finding(1, {
      findingId: 'fnd_rev_al_1',
      reviewerId: 'rev_al',
      questionSetVersion: 2,
      verdict: 'inappropriate',
      answers: { interpreter: { code: 'no', rationale: 'none offered' } },
    });

    const page = html(
      casePackFiles(
        contents({
          findings: [...contents().findings, second],
          questionSets: [QUESTION_SET_2, INITIAL_QUESTION_SET],
        }),
      ),
    );

    expect(page).toContain(
      'Were reasonable lines of enquiry pursued, including those pointing away from the suspect?',
    );
    expect(page).toContain('<td>Partly</td>');
    expect(page).toContain('Verdict: Appropriate with observations');
    expect(page).toContain('Verdict: Inappropriate');
    expect(page).toContain('Was an interpreter offered where needed?');
    expect(page).toContain('Amends version 1.');
    expect(page).toContain('Audit supervision logs');
    expect(page).toContain('SHA-256');
    expect(page.indexOf('Finding of rev_al')).toBeLessThan(page.indexOf('Finding of rev_jo, version 1'));
    expect(page.indexOf('Finding of rev_jo, version 1')).toBeLessThan(
      page.indexOf('Finding of rev_jo, version 2'),
    );
  });

  it('shows how a sampled case was drawn', () => {
    const page = html(
      casePackFiles(
        contents({
          provenance: {
            kind: 'dip-sample',
            sampleId: 'smp_x',
            seedCommitment: 'c'.repeat(64),
            seed: 'a-seed-chosen-in-advance',
            algorithm: 'hmac-sha256-lowest-k/1',
            stratum: 'offenceGroup=rape',
            rank: 'd'.repeat(64),
          },
        }),
      ),
    );

    expect(page).toContain('Drawn in dip sample smp_x');
    expect(page).toContain('c'.repeat(64));
    expect(page).toContain('a-seed-chosen-in-advance');
  });

  it('refuses records of another case, and findings without the questions they answered', () => {
    expect(() => casePackFiles(contents({ findings: [finding(1, { caseId: 'case_other' })] }))).toThrow(
      /findings\.0 belongs to case case_other/,
    );
    expect(() => casePackFiles(contents({ questionSets: [] }))).toThrow(/version 1 is answered by a finding/);
  });
});

/**
 * The `pack verify` and `report` commands against a stand-in for the API and the file store, for
 * the command's own behaviour; the tests against the whole system live with the other CLI tests.
 */
