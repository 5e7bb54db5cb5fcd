/**
 * A Secrets Manager stand-in for the secrets the template declares: GetSecretValue over the AWS
 * JSON 1.1 protocol, as the SDK (and Powertools' getSecret) calls it. A secret with a
 * GenerateSecretString is generated once and kept in the data directory (mode 0600), so values
 * such as the pseudonymisation key stay the same across restarts.
 */
import { randomInt } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { awsJsonService } from './aws-json-service.ts';
import type { ResolvedTemplate } from './template.ts';

interface GenerateSecretString {
  PasswordLength?: number;
  ExcludePunctuation?: boolean;
}

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const PUNCTUATION = '!#$%&()*+,-./:;<=>?@[]^_{|}~';

function generate(spec: GenerateSecretString): string {
  const alphabet = ALPHANUMERIC + (spec.ExcludePunctuation ? '' : PUNCTUATION);
  return Array.from({ length: spec.PasswordLength ?? 32 }, () => alphabet[randomInt(alphabet.length)]).join(
    '',
  );
}

export interface LocalSecrets {
  handler(request: IncomingMessage, response: ServerResponse): void;
}

export async function loadLocalSecrets(template: ResolvedTemplate, dataDir: string): Promise<LocalSecrets> {
  const file = path.join(dataDir, 'secrets.json');
  const stored: Record<string, string> = existsSync(file) ? JSON.parse(await readFile(file, 'utf8')) : {};
  const byArn = new Map<string, { name: string; value: string }>();
  let changed = false;
  for (const secret of template.ofType('AWS::SecretsManager::Secret')) {
    const arn = template.refOf(secret.logicalId);
    const given = secret.properties.SecretString;
    let value = stored[secret.logicalId];
    if (value === undefined) {
      value =
        typeof given === 'string'
          ? given
          : generate((secret.properties.GenerateSecretString ?? {}) as GenerateSecretString);
      stored[secret.logicalId] = value;
      changed = true;
    }
    byArn.set(arn, { name: secret.logicalId, value });
  }
  if (changed) {
    await mkdir(dataDir, { recursive: true });
    await writeFile(file, JSON.stringify(stored, null, 2), { mode: 0o600 });
    await chmod(file, 0o600);
  }

  return {
    handler: awsJsonService({
      'secretsmanager.GetSecretValue': ({ SecretId }) => {
        const entry = [...byArn.entries()].find(
          ([arn, secret]) => arn === SecretId || secret.name === SecretId,
        );
        if (!entry) {
          return {
            status: 400,
            body: {
              __type: 'ResourceNotFoundException',
              message: "Secrets Manager can't find the specified secret.",
            },
          };
        }
        const [arn, secret] = entry;
        return {
          status: 200,
          body: {
            ARN: arn,
            Name: secret.name,
            SecretString: secret.value,
            VersionId: 'local',
            VersionStages: ['AWSCURRENT'],
            CreatedDate: 0,
          },
        };
      },
    }),
  };
}
