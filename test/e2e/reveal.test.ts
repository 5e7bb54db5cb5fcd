/**
 * Re-identification against the whole local system: the original crime references are sealed at
 * import (KMS envelope encryption, on the local KMS stand-in), the table holds them only sealed,
 * and the audit team reveals those behind a sample's picks or one case, with a reason, each reveal
 * a `disclose` event in the case's trail. Panel members and nominators cannot.
 */
import { QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalStack, startLocalStack } from '../support/local-stack.ts';

const HEADER =
  'crime_reference,offence_group,da_marker,outcome_code,deciding_body,decision_date,unit,decision_maker_id,officer_in_case_id,victim_supports_action,suspect_identified,custody_disposal,protective_measures,thrive_recorded,victims_voice_recorded,summary';
const day = new Date(Date.now() - 40 * 86_400_000).toISOString().slice(0, 10);
const REFERENCES = ['RV/100001/26', 'RV/100002/26', 'RV/100003/26', 'RV/100004/26'];
const row = (reference: string) =>
  `${reference},rape,N,15,police,${day},PPU East,DM-0101,OIC-0201,Y,Y,released_under_investigation,none,Y,Y,Synthetic record.`;

let stack: LocalStack;
const table = () => stack.runtime.physicalName('TablesMain');

beforeAll(async () => {
  stack = await startLocalStack();
  await stack.importDecisions([HEADER, ...REFERENCES.map(row)].join('\n'), 'admin');
});
afterAll(async () => stack?.close());

describe('re-identification', () => {
  it('keeps the original references only sealed', async () => {
    const { Items = [] } = await stack.documents.send(new ScanCommand({ TableName: table() }));
    const text = JSON.stringify(Items);
    for (const reference of REFERENCES) expect(text).not.toContain(reference);
    expect(Items.filter((item) => String(item.pk).startsWith('REIDENT#'))).toHaveLength(REFERENCES.length);
    // The sealed records stay out of the index of decisions by crime.
    const found = await stack.api('GET', `/decisions?crimeReference=${encodeURIComponent('RV/100001/26')}`, {
      as: 'auditor',
    });
    expect(found.status, JSON.stringify(found.body)).toBe(200);
    expect(found.body.items).toHaveLength(1);
  });

  it('reveals the reference behind a case, with a reason, and audits it in the case trail', async () => {
    const [decision] = await stack.eligibleDecisions();
    const nominated = await stack.nominate(String(decision?.decisionId));
    const caseId = String(nominated.body.caseId);
    const reveal = (as: string, reason = 'to pull the investigation file for the audit') =>
      stack.api('POST', `/cases/${caseId}/reveal`, { as, body: { reason } });

    expect((await reveal('panel')).status).toBe(403);
    expect((await reveal('isva')).status).toBe(403);
    expect((await reveal('auditor', 'because')).status).toBe(400);
    const revealed = await reveal('auditor');
    expect(revealed.status, JSON.stringify(revealed.body)).toBe(200);
    expect(revealed.body).toMatchObject({ caseId, decisionId: decision?.decisionId });
    expect(REFERENCES).toContain(revealed.body.crimeReference);

    const trail = await stack.api('GET', `/audit/records/case/${caseId}`, { as: 'auditor' });
    expect(trail.body.items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          action: 'disclose',
          actor: 'demo-auditor',
          via: 'POST /cases/{caseId}/reveal',
          detail: { reason: 'to pull the investigation file for the audit' },
        }),
      ]),
    );
  });

  it('reveals every pick of a sample with the case it opened', async () => {
    const created = await stack.api('POST', '/samples', {
      as: 'auditor',
      body: {
        filter: { decisionDateFrom: day, decisionDateTo: day, decisionTypes: ['police_nfa'] },
        design: { type: 'simple' },
        size: 3,
        label: 'reveal',
      },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const sampleId = String(created.body.sampleId);
    expect((await stack.waitForExecution('DipSample', sampleId)).status).toBe('SUCCEEDED');
    const revealed = await stack.api('POST', `/samples/${sampleId}/reveal`, {
      as: 'auditor',
      body: { reason: 'to pull the files of the picks for the audit' },
    });
    expect(revealed.status, JSON.stringify(revealed.body)).toBe(200);
    const items = revealed.body.items as { decisionId: string; caseId?: string; crimeReference?: string }[];
    expect(items).toHaveLength(3);
    for (const item of items) {
      expect(REFERENCES).toContain(item.crimeReference);
      expect(item.caseId).toMatch(/^case_/);
    }
    expect(new Set(items.map((item) => item.crimeReference)).size).toBe(3);
    const { runCli } = await import('../cli/run-cli.ts');
    const env = { SCRUTINEER_API_URL: stack.runtime.apiUrl, SCRUTINEER_ISSUER_URL: stack.runtime.issuerUrl };
    const viaCli = await runCli(['sample', 'reveal', sampleId, '--reason', 'to pull the files again'], env);
    expect(viaCli.stderr).toBe('');
    for (const item of items) expect(viaCli.stdout).toContain(String(item.crimeReference));
    const { Items = [] } = await stack.documents.send(
      new QueryCommand({
        TableName: stack.runtime.physicalName('TablesAudit'),
        IndexName: 'byActor',
        KeyConditionExpression: 'actorKey = :actor',
        ExpressionAttributeValues: { ':actor': 'ACTOR#demo-auditor' },
      }),
    );
    const disclosed = Items.filter(
      (event) =>
        event.via === 'POST /samples/{sampleId}/reveal' &&
        (event.detail as { reason?: string }).reason === 'to pull the files of the picks for the audit',
    );
    expect(disclosed.map((event) => event.recordType).sort()).toEqual([
      'case',
      'case',
      'case',
      'decision',
      'decision',
      'decision',
      'sample',
    ]);
  });
});
