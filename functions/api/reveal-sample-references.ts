import { revealSample } from '#shared/decisions/reveal';
import { apiHandler } from '#shared/http/api-handler';

export const handler = apiHandler('revealSampleReferences', async ({ params, body, recordAccess }) => {
  const revealed = await revealSample(params.sampleId);
  const detail = { reason: body.reason };
  recordAccess({ action: 'disclose', recordType: 'sample', recordId: params.sampleId, detail });
  for (const { decisionId, caseId } of revealed.items) {
    recordAccess({ action: 'disclose', recordType: 'decision', recordId: decisionId, detail });
    if (caseId) recordAccess({ action: 'disclose', recordType: 'case', recordId: caseId, detail });
  }
  return revealed;
});
