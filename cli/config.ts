/**
 * Where the API is and who the caller is. Locally (the default) the CLI signs in to the local
 * issuer as a demo user, on the ports `npm start` uses; against a deployed stack it takes the API
 * URL and a bearer token from the environment, because signing in there is the force's identity
 * provider's business.
 */
import type { Command } from 'commander';
import { type ApiClient, createApiClient, isLoopback } from './api-client.ts';

export const DEFAULT_USER = 'admin';
const DEFAULT_PORT_BASE = 4500;

export interface Settings {
  readonly apiUrl: string;
  /** How to get a token: a fixed one from the environment, or a local sign-in as a demo user. */
  readonly credentials:
    | { readonly token: string }
    | { readonly issuerUrl: string; readonly username: string };
}

export class SettingsError extends Error {
  override readonly name = 'SettingsError';
  constructor(
    message: string,
    /** The command line itself is at fault, rather than the environment. */
    readonly isUsage = false,
  ) {
    super(message);
  }
}

/** The API and issuer addresses `npm start` listens on; SCRUTINEER_PORT_BASE shifts both. */
export function localAddresses(env: NodeJS.ProcessEnv = process.env): { apiUrl: string; issuerUrl: string } {
  const base = Number(env.SCRUTINEER_PORT_BASE || DEFAULT_PORT_BASE);
  if (!Number.isInteger(base) || base < 1 || base > 65534) {
    throw new SettingsError(`SCRUTINEER_PORT_BASE must be a port number, not "${env.SCRUTINEER_PORT_BASE}".`);
  }
  return { apiUrl: `http://127.0.0.1:${base}`, issuerUrl: `http://127.0.0.1:${base + 1}` };
}

/**
 * The settings for one run. `as` is the `--as` option, undefined when not given. Throws a
 * SettingsError when the environment and the options contradict each other.
 */
export function resolveSettings(as: string | undefined, env: NodeJS.ProcessEnv = process.env): Settings {
  const local = localAddresses(env);
  const apiUrl = trimSlash(env.SCRUTINEER_API_URL || local.apiUrl);
  const token = env.SCRUTINEER_TOKEN;
  if (token) {
    if (as !== undefined) {
      throw new SettingsError(
        '--as signs in to the local demo issuer, but SCRUTINEER_TOKEN is set: the token decides who you ' +
          'are. Unset SCRUTINEER_TOKEN to sign in as a demo user.',
        true,
      );
    }
    return { apiUrl, credentials: { token } };
  }
  const issuerUrl = env.SCRUTINEER_ISSUER_URL || (isLoopback(apiUrl) ? local.issuerUrl : undefined);
  if (!issuerUrl) {
    throw new SettingsError(
      `SCRUTINEER_API_URL points at ${apiUrl}: set SCRUTINEER_TOKEN to a bearer token from the ` +
        "force's identity provider.",
    );
  }
  return { apiUrl, credentials: { issuerUrl: trimSlash(issuerUrl), username: as ?? DEFAULT_USER } };
}

/** Adds `--as`; each command group names the persona it signs in as by default. */
export function withSignInOptions(command: Command, defaultUser = DEFAULT_USER): Command {
  defaultUsers.set(command, defaultUser);
  return command.option(
    '--as <username>',
    `sign in to the local stack as this demo user (default: ${defaultUser}; not with SCRUTINEER_TOKEN)`,
  );
}

const defaultUsers = new WeakMap<Command, string>();

/** An API client for a command's options, or a usage error (exit 2) when they cannot work. */
export async function connect(command: Command): Promise<ApiClient> {
  const { as } = command.opts<{ as?: string }>();
  // A token from the environment decides who the caller is, and --as may not be given with it.
  const user = as ?? (process.env.SCRUTINEER_TOKEN ? undefined : defaultUsers.get(command));
  let settings: Settings;
  try {
    settings = resolveSettings(user);
  } catch (error) {
    if (error instanceof SettingsError && error.isUsage) command.error(`error: ${error.message}`);
    throw error;
  }
  return createApiClient(settings);
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}
