/**
 * The `ot-soc` command tree: each command lives in cli/commands/ and registers itself here. Built without parsing
 * anything, so the CLI reference (docs/reference/cli.md) is generated from the same definitions.
 */
import { Command } from 'commander';
import { registerCoverage } from './commands/coverage.js';
import { registerDemo } from './commands/demo.js';
import { registerForward } from './commands/forward.js';
import { registerInventory } from './commands/inventory.js';
import { registerRedrive } from './commands/redrive.js';
import { registerReplay } from './commands/replay.js';
import { registerSend } from './commands/send.js';
import { registerValidate } from './commands/validate.js';

export function buildProgram(): Command {
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
  registerInventory(program);
  return program;
}
