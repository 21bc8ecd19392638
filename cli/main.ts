#!/usr/bin/env node
/**
 * The `ot-soc` command. Each command lives in cli/commands/ and registers itself here.
 */
import { Command } from 'commander';
import { ConfigError } from '../pipeline/config/config.js';
import { registerCoverage } from './commands/coverage.js';
import { registerDemo } from './commands/demo.js';
import { registerForward } from './commands/forward.js';
import { registerRedrive } from './commands/redrive.js';
import { registerReplay } from './commands/replay.js';
import { registerSend } from './commands/send.js';
import { UsageError } from './commands/usageError.js';
import { registerValidate } from './commands/validate.js';

const program = new Command()
  .name('ot-soc')
  .description(
    'Defender for IoT (OT) alerts to Microsoft Sentinel: parse, enrich, deduplicate, ingest, respond.',
  )
  .showHelpAfterError();

registerDemo(program);
registerReplay(program);
registerRedrive(program);
registerForward(program);
registerSend(program);
registerValidate(program);
registerCoverage(program);

program.parseAsync(process.argv).catch((e: unknown) => {
  if (e instanceof UsageError || e instanceof ConfigError) {
    console.error(`ot-soc: ${e.message}`);
    process.exit(2);
  }
  console.error(e);
  process.exit(1);
});
