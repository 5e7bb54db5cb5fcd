import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../infra/app.ts';

/** Synthesizes the production app (cdk-nag included) without bundling, as `cdk synth` would shape it. */
export function synthesizeStack(context: Record<string, unknown> = {}) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [], ...context } });
  const { stack } = buildApp(app);
  const template = app.synth().getStackArtifact(stack.artifactId).template;
  return {
    app,
    stack,
    template: Template.fromJSON(template),
    json: template as { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> },
  };
}
