/**
 * AWS's own DynamoDB Local (the emulator AWS publishes, with transactions, TTL settings and
 * PartiQL), run from the jar that the npm package `amplify-dynamodb-simulator` ships. It needs a
 * Java runtime (17 or newer); nothing is downloaded.
 *
 * The emulator runs as a child process behind a small shell guard that reads the pipe to this
 * process: when this process ends, however it ends, the pipe closes and the emulator is stopped,
 * so no JVM outlives the runtime that started it.
 *
 * DynamoDB Local has no option to bind one address: it listens on every interface, on a port
 * chosen here from the free ones on 127.0.0.1 (or the fixed port `npm start` asks for).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import path from 'node:path';

export const JAVA_MISSING_MESSAGE =
  'Scrutineer runs AWS DynamoDB Local, which needs a Java runtime (17 or newer), and none was found on the PATH.\n' +
  'Install one, for example: apt-get install -y default-jre-headless (Debian, Ubuntu), ' +
  'brew install openjdk (macOS), or your platform’s OpenJDK; then run the command again.';

/** Throws with what to install when no Java runtime can be started. */
export function assertJavaAvailable(): void {
  const probe = spawnSync('java', ['-version'], { stdio: 'ignore' });
  if (probe.error || probe.status !== 0) throw new Error(JAVA_MISSING_MESSAGE);
}

const emulatorDir = () =>
  path.join(
    path.dirname(createRequire(import.meta.url).resolve('amplify-dynamodb-simulator/package.json')),
    'emulator',
  );

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });

export interface DynamoDbLocal {
  readonly endpoint: string;
  readonly pid: number | undefined;
  close(): Promise<void>;
}

// Stops the emulator when stdin closes (this process ended) or on a signal to the guard.
const GUARD =
  'java "$@" >/dev/null 2>&1 & pid=$!; ' +
  "trap 'kill $pid 2>/dev/null; wait $pid; exit 0' TERM INT HUP; " +
  'while read -r _; do :; done; kill $pid 2>/dev/null; wait $pid; exit 0';

/** Starts DynamoDB Local with its database in `dataDir` and waits until it answers. */
export async function startDynamoDbLocal(options: {
  dataDir: string;
  port?: number;
  startTimeoutMs?: number;
}): Promise<DynamoDbLocal> {
  assertJavaAvailable();
  await mkdir(options.dataDir, { recursive: true });
  const port = options.port || (await freePort());
  const dir = emulatorDir();
  const javaArgs = [
    // A small heap and the client compiler: the emulator starts in about half the time, and the
    // workloads here (thousands of items, not millions in memory) never need more.
    '-Xms64m',
    '-Xmx768m',
    '-XX:+UseSerialGC',
    '-XX:TieredStopAtLevel=1',
    `-Djava.library.path=${path.join(dir, 'DynamoDBLocal_lib')}`,
    '-jar',
    path.join(dir, 'DynamoDBLocal.jar'),
    '-port',
    String(port),
    '-dbPath',
    options.dataDir,
    // One database whatever the credentials and region, as one AWS account's table would be.
    '-sharedDb',
    '-disableTelemetry',
  ];
  const child = spawn('sh', ['-c', GUARD, 'dynamodb-local', ...javaArgs], {
    cwd: dir,
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const endpoint = `http://127.0.0.1:${port}`;
  try {
    await waitUntilAnswering(endpoint, child, options.startTimeoutMs ?? 60_000);
  } catch (error) {
    child.kill('SIGTERM');
    await exited;
    throw error;
  }
  return {
    endpoint,
    pid: child.pid,
    close: async () => {
      if (child.exitCode === null && child.signalCode === null) child.stdin?.end();
      await exited;
    },
  };
}

async function waitUntilAnswering(endpoint: string, child: ChildProcess, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  let stopped = false;
  child.once('exit', () => {
    stopped = true;
  });
  while (Date.now() < deadline) {
    if (stopped) throw new Error(`DynamoDB Local exited while starting (is ${endpoint} in use?)`);
    try {
      const response = await fetch(endpoint, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-amz-json-1.0',
          'x-amz-target': 'DynamoDB_20120810.ListTables',
          authorization:
            'AWS4-HMAC-SHA256 Credential=local/20200101/local/dynamodb/aws4_request, SignedHeaders=host, Signature=0',
        },
        body: '{}',
      });
      await response.arrayBuffer();
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`DynamoDB Local did not answer on ${endpoint} within ${timeoutMs} ms`);
}
