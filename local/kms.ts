/**
 * A KMS stand-in for envelope encryption: GenerateDataKey and Decrypt over the AWS JSON 1.1
 * protocol, as the SDK calls them. Each key id the handlers name gets its own 256-bit master key,
 * generated once and kept in the data directory (mode 0600). A data key's ciphertext blob is the
 * key id and the data key sealed with AES-256-GCM under that master key, bound to the encryption
 * context, so Decrypt refuses a blob under another context or a tampered one, as KMS does.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { canonicalJson } from '../shared/canonical-json.ts';
import { awsJsonService, type JsonReply } from './aws-json-service.ts';

const invalid = (message: string): JsonReply => ({
  status: 400,
  body: { __type: 'InvalidCiphertextException', message },
});

export interface LocalKms {
  handler(request: IncomingMessage, response: ServerResponse): void;
}

export async function loadLocalKms(dataDir: string): Promise<LocalKms> {
  const file = path.join(dataDir, 'kms-keys.json');
  const keys: Record<string, string> = existsSync(file) ? JSON.parse(await readFile(file, 'utf8')) : {};
  const masterKey = async (keyId: string): Promise<Buffer> => {
    if (!keys[keyId]) {
      keys[keyId] = randomBytes(32).toString('base64');
      await mkdir(dataDir, { recursive: true });
      await writeFile(file, JSON.stringify(keys, null, 2), { mode: 0o600 });
      await chmod(file, 0o600);
    }
    return Buffer.from(keys[keyId], 'base64');
  };
  const context = (input: Record<string, unknown>) =>
    Buffer.from(canonicalJson(input.EncryptionContext ?? {}));

  return {
    handler: awsJsonService({
      'TrentService.GenerateDataKey': async (input) => {
        const keyId = String(input.KeyId ?? '');
        if (!keyId)
          return { status: 400, body: { __type: 'ValidationException', message: 'KeyId is required' } };
        const plaintext = randomBytes(32);
        const iv = randomBytes(12);
        const cipher = createCipheriv('aes-256-gcm', await masterKey(keyId), iv);
        cipher.setAAD(context(input));
        const sealed = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
        const blob = Buffer.from(
          JSON.stringify({ keyId, iv: iv.toString('base64'), sealed: sealed.toString('base64') }),
        );
        return {
          status: 200,
          body: {
            KeyId: keyId,
            Plaintext: plaintext.toString('base64'),
            CiphertextBlob: blob.toString('base64'),
          },
        };
      },
      'TrentService.Decrypt': async (input) => {
        let parsed: { keyId: string; iv: string; sealed: string };
        try {
          parsed = JSON.parse(Buffer.from(String(input.CiphertextBlob ?? ''), 'base64').toString('utf8'));
        } catch {
          return invalid('The ciphertext is not one this key service made');
        }
        if (!keys[parsed.keyId]) return invalid('The ciphertext names an unknown key');
        const sealed = Buffer.from(parsed.sealed, 'base64');
        try {
          const decipher = createDecipheriv(
            'aes-256-gcm',
            await masterKey(parsed.keyId),
            Buffer.from(parsed.iv, 'base64'),
          );
          decipher.setAAD(context(input));
          decipher.setAuthTag(sealed.subarray(-16));
          const plaintext = Buffer.concat([decipher.update(sealed.subarray(0, -16)), decipher.final()]);
          return { status: 200, body: { KeyId: parsed.keyId, Plaintext: plaintext.toString('base64') } };
        } catch {
          return invalid('The ciphertext or its encryption context does not match');
        }
      },
    }),
  };
}
