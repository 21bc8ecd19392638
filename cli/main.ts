#!/usr/bin/env node
/** The `ot-soc` command: parses the arguments with the command tree of cli/program.ts. */
import { ConfigError } from '../pipeline/config/config.js';
import { UsageError } from './commands/usageError.js';
import { buildProgram } from './program.js';

buildProgram()
  .parseAsync(process.argv)
  .catch((e: unknown) => {
    if (e instanceof UsageError || e instanceof ConfigError) {
      console.error(`ot-soc: ${e.message}`);
      process.exit(2);
    }
    console.error(e);
    process.exit(1);
  });
