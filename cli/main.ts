#!/usr/bin/env node
/** The `ot-soc` command: parses the arguments with the command tree of cli/program.ts. */
import type { Command } from 'commander';
import { abandonPrestarted, prestartState } from './state/prestart.js';

// `replay --state` starts its Azurite now, while the modules below load (cli/state/prestart.ts).
prestartState(process.argv);
const [{ CommanderError }, { ConfigError }, { UsageError }, { buildProgram }] = await Promise.all([
  import('commander'),
  import('../pipeline/config/config.js'),
  import('./commands/usageError.js'),
  import('./program.js'),
]);

/** Commander exits 1 on a bad argument by default; throwing instead lets main exit 2 as documented. */
function throwOnBadArguments(command: Command): Command {
  command.exitOverride();
  for (const sub of command.commands) throwOnBadArguments(sub);
  return command;
}

/** Exit codes (docs/reference/cli.md): 0 completed, 2 bad arguments/config/unreadable file, 1 any other failure. */
throwOnBadArguments(buildProgram())
  .parseAsync(process.argv)
  .then(abandonPrestarted)
  .catch(async (e: unknown) => {
    // A command that failed before it opened its state leaves nothing running and the directory unlocked.
    await abandonPrestarted();
    if (e instanceof CommanderError) process.exit(e.exitCode === 0 ? 0 : 2); // commander printed why (or the help)
    if (e instanceof UsageError || e instanceof ConfigError) {
      console.error(`ot-soc: ${e.message}`);
      process.exit(2);
    }
    // A system error (a file that cannot be written, a full disk) says all in its message; a bug keeps its stack.
    if (e instanceof Error && 'syscall' in e) console.error(`ot-soc: ${e.message}`);
    else console.error(e);
    process.exit(1);
  });
