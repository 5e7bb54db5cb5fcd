/**
 * Routing: 500 review cases among 30 reviewers through the synthesized routing workflow on the
 * local runtime. Reports the time, the DynamoDB write requests per case (a transaction counts as one,
 * counted on the shared client the handlers use), and the spread of load (max − min cases per reviewer) against the best possible
 * spread for that many assignments.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { syntheticForceExport } from '../local/synthetic-data.ts';
import type { BenchResult } from './import-throughput.ts';
import { startBenchStack } from './local-stack.ts';

const CASES = 500;
const REVIEWERS = 30;
const AGENCIES = ['police', 'cps', 'isva', 'independent', 'academic', 'health', 'local_authority'] as const;
const UNITS = ['PPU North', 'PPU South', 'FCID', 'NPU Central', 'CPS RASSO Unit', undefined];

export async function routeCasesBench(): Promise<BenchResult> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'scrutineer-route-bench-'));
  const stack = await startBenchStack(dir);
  try {
    // Imported after the runtime has set the endpoints the shared clients read.
    const { dynamodb } = await import('../shared/aws-clients.ts');
    const { saveReviewer, savePanel, saveSitting } = await import('../shared/panels/panel-store.ts');
    const { openCaseOnce } = await import('../shared/cases/case-store.ts');
    const { bestPossibleSpread } = await import('../shared/routing/route-cases.ts');

    const token = await stack.runtime.tokenFor('admin');
    const created = await stack.api('POST', '/imports', {
      token,
      body: { format: 'force-csv', fileName: 'b.csv' },
    });
    await fetch(String(created.body.uploadUrl), {
      method: 'PUT',
      body: syntheticForceExport({ count: CASES, seed: 5 }),
    });
    await stack.api('POST', `/imports/${created.body.importId}/start`, { token });
    await stack.runtime.waitForExecution('ImportDecisions', String(created.body.importId));
    const decisions = await stack.decisions();

    const reviewerIds = Array.from({ length: REVIEWERS }, (_, i) => `rev_bench${String(i).padStart(2, '0')}`);
    for (const [i, reviewerId] of reviewerIds.entries()) {
      const unit = UNITS[i % UNITS.length];
      await saveReviewer({
        reviewerId,
        name: `Bench Reviewer ${i}`,
        agency: AGENCIES[i % AGENCIES.length] as (typeof AGENCIES)[number],
        ...(unit ? { unit } : {}),
        capacityPerSitting: 50,
        standingConflicts: [],
        active: true,
      });
    }
    // The chair signs in once, so they can be named chair.
    await stack.api('GET', '/me', { token: await stack.runtime.tokenFor('chair') });
    await savePanel({
      panelId: 'pan_bench',
      name: 'Bench panel',
      chairSubject: 'demo-chair',
      memberReviewerIds: reviewerIds,
    });
    const caseIds: string[] = [];
    for (const decision of decisions.slice(0, CASES)) {
      const caseId = `case_bench${String(caseIds.length).padStart(21, '0')}`;
      await openCaseOnce({
        caseId,
        decisionId: decision.decisionId,
        origin: { kind: 'nomination' },
        sittingId: 'sit_bench',
        status: 'OPEN',
        openedAt: new Date().toISOString(),
      });
      caseIds.push(caseId);
    }
    await saveSitting({
      sittingId: 'sit_bench',
      panelId: 'pan_bench',
      date: '2027-03-01',
      findingsDeadline: '2027-02-20',
      status: 'PLANNED',
      agenda: caseIds,
      maxCases: CASES,
      reviewersPerCase: 2,
    });

    let writes = 0;
    dynamodb.middlewareStack.add(
      (next, context) => async (args) => {
        if (/^(Put|Update|Delete|BatchWrite|TransactWrite)/.test(String(context.commandName))) writes++;
        return next(args);
      },
      { step: 'initialize', name: 'countWrites' },
    );
    const started = performance.now();
    const routing = await stack.api('POST', '/sittings/sit_bench/routing', {
      token: await stack.runtime.tokenFor('chair'),
    });
    if (routing.status !== 202 && routing.status !== 200)
      throw new Error(`Routing refused: ${routing.status}`);
    const result = await stack.runtime.waitForExecution('RouteCases', String(routing.body.execution));
    const elapsed = performance.now() - started;
    if (result.status !== 'SUCCEEDED') throw new Error(`Routing ${result.status}`);

    const loads = new Map(reviewerIds.map((id) => [id, 0]));
    let assigned = 0;
    let unassignable = 0;
    const { ScanCommand } = await import('@aws-sdk/lib-dynamodb');
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await stack.documents.send(
        new ScanCommand({ TableName: stack.runtime.physicalName('TablesMain'), ExclusiveStartKey: startKey }),
      );
      for (const item of page.Items ?? []) {
        if (item.sk !== 'CASE' || !String(item.caseId).startsWith('case_bench')) continue;
        if (item.unassignable) unassignable++;
        for (const id of (item.assignedReviewers as Set<string> | undefined) ?? []) {
          loads.set(id, (loads.get(id) ?? 0) + 1);
          assigned++;
        }
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    const values = [...loads.values()];
    const spread = Math.max(...values) - Math.min(...values);
    return {
      name: `Routing ${CASES} cases among ${REVIEWERS} reviewers (local runtime)`,
      header:
        '| time | cases/s | write requests per case | assignments | unassignable | load spread (max − min) | best possible |\n|---|---|---|---|---|---|---|',
      lines: [
        `| ${(elapsed / 1000).toFixed(1)} s | ${Math.round((CASES / elapsed) * 1000)} | ${(writes / CASES).toFixed(1)} | ${assigned} | ${unassignable} | ${spread} | ${bestPossibleSpread(assigned, REVIEWERS)} |`,
      ],
      notes:
        'Cases are routed one at a time (deterministic for the same agenda and loads); each is one transaction: two ' +
        'capacity reservations, two assignments and their history events, the routing explanation and the case ' +
        'update, followed by notifications to reviewers who sign in. The best possible spread ignores the ' +
        'rules: reviewers from a deciding unit, or not independent of the deciding body, cannot take every case, so ' +
        'a spread above it is the price of the rules rather than of the balancing.',
    };
  } finally {
    await stack.close();
    await rm(dir, { recursive: true, force: true });
  }
}
