/** The entry point of `scrutineer` (bin/scrutineer.js); the commands are in program.ts. */
import { run } from './program.ts';

process.exitCode = await run(process.argv);
