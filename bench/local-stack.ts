/**
 * Benchmarks that boot the local runtime share one set of ports: handler modules keep their AWS
 * clients for the life of the process, so a second runtime in the same process must sit at the
 * same addresses as the first.
 */
import { freePorts, type LocalStack, startLocalStack } from '../test/support/local-stack.ts';

const ports = freePorts();

export async function startBenchStack(dataDir: string): Promise<LocalStack> {
  return startLocalStack({ dataDir, ports: await ports });
}
