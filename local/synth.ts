/**
 * Synthesizes the CDK app in-process for the local runtime: the same stack `npm run synth`
 * produces, with the API's JWT authorizer pointed at the local issuer by configuration (as a
 * force would point it at its own OIDC provider) and without bundling, since the local runtime
 * runs the handler sources.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { App } from 'aws-cdk-lib';
import { buildApp } from '../infra/app.ts';
import type { CfnTemplate } from './template.ts';

export interface LocalSynthOptions {
  readonly issuer: string;
  readonly audience: string;
  readonly uiOrigin?: string;
}

export async function synthesizeForLocal(options: LocalSynthOptions): Promise<CfnTemplate> {
  const outdir = await mkdtemp(path.join(os.tmpdir(), 'scrutineer-synth-'));
  try {
    const app = new App({
      outdir,
      context: {
        'aws:cdk:bundling-stacks': [],
        'scrutineer:stage': 'local',
        'scrutineer:oidcIssuer': options.issuer,
        'scrutineer:oidcAudience': options.audience,
        ...(options.uiOrigin ? { 'scrutineer:uiOrigin': options.uiOrigin } : {}),
      },
    });
    const { stack } = buildApp(app);
    return app.synth().getStackArtifact(stack.artifactId).template as CfnTemplate;
  } finally {
    await rm(outdir, { recursive: true, force: true });
  }
}
