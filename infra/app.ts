/** The CDK app: `npm run synth` (offline). cdk-nag's AwsSolutions checks run on every synth. */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { readConfig } from './config.ts';
import { ScrutineerStack } from './scrutineer-stack.ts';

export function buildApp(app = new App()): { app: App; stack: ScrutineerStack } {
  const config = readConfig(app.node);
  const stack = new ScrutineerStack(app, `Scrutineer-${config.stage}`, {
    config,
    description: 'Scrutineer: case audit and scrutiny of NFA and filing decisions',
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION ?? 'eu-west-2' },
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  buildApp().app.synth();
}
