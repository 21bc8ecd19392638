/**
 * Azurite for `ot-soc replay --state DIR`, started while the CLI loads its modules. Loading the pipeline and
 * Azurite's start take about a second each, one after the other before: cli/main.ts calls prestartState with the
 * arguments before it imports anything heavy, and openStateStore (stateStore.ts) takes what it started. The order
 * is the one openStateStore keeps: the directory's lock first (a run refused because another holds it starts
 * nothing and touches nothing), then a leftover Azurite of a killed run is stopped, then this run's starts.
 * Imports only the light modules it needs (node builtins, the lock, the launcher).
 */
import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { type AzuriteHandle, azuriteMain, reapAzurite, startAzurite } from '../azurite.js';
import { acquireStateLock, type StateLock } from './lock.js';

/** The Azurite a run started on `DIR/azurite`, so the next run can stop it if this one was killed. */
export const AZURITE_PID_FILE = 'azurite.pid';

/** A state directory locked, a leftover Azurite stopped (its pid), this run's Azurite starting. */
export interface StartedState {
  lock: StateLock;
  location: string;
  orphan?: number;
  starting: Promise<AzuriteHandle>;
  /**
   * The outermost directory this run created for its state (the state directory or a parent of it, or its
   * `azurite`), removed if the run is abandoned.
   */
  created?: string;
}

/** Locks `dir`, stops a leftover Azurite on it, starts this run's (without waiting for it to listen). */
export async function lockAndStart(dir: string, command: string): Promise<StartedState> {
  // mkdir answers the first directory it had to create, if any.
  const created = await mkdir(dir, { recursive: true });
  const started = await startLocked(dir, await acquireStateLock(dir, command));
  return created ? { ...started, created } : started;
}

/** With `dir` locked: stops a leftover Azurite on it and starts this run's. The lock is released if that fails. */
export async function startLocked(dir: string, lock: StateLock): Promise<StartedState> {
  try {
    const location = join(dir, 'azurite');
    const pidFile = join(dir, AZURITE_PID_FILE);
    const created = await mkdir(location, { recursive: true });
    const orphan = await reapAzurite(pidFile, location);
    const starting = startAzurite({ location, pidFile });
    // Its failure is seen by whoever takes it; until then it must not go unhandled.
    starting.catch(() => {});
    return { lock, location, orphan, starting, ...(created && { created }) };
  } catch (e) {
    await lock.release();
    throw e;
  }
}

/** Stops the Azurite of `s` (if it started) and then releases the lock, whatever the stop did. */
export function stopStarted(s: StartedState): Promise<void> {
  return s.starting
    .then(
      (a) => a.stop(),
      () => undefined,
    )
    .finally(() => s.lock.release());
}

let early: { dir: string; started: Promise<StartedState>; unhook: () => void } | undefined;
/** Set when a signal came before openStateStore took the state: the process ends once it is stopped. */
let ending: Promise<void> | undefined;

/** The value of `--NAME X` / `--NAME=X` in these arguments (the first; before `--`). */
function optionOf(argv: readonly string[], name: string): string | undefined {
  for (let i = 3; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') return undefined;
    if (a === `--${name}`) return argv[i + 1];
    if (a.startsWith(`--${name}=`)) return a.slice(name.length + 3);
  }
  return undefined;
}

/** The `--state` directory of `ot-soc replay …` in these arguments (`--state DIR` or `--state=DIR`). */
export function replayStateDir(argv: readonly string[]): string | undefined {
  return argv[2] === 'replay' ? optionOf(argv, 'state') : undefined;
}

/**
 * Starts the state of `ot-soc replay --state DIR` now, for openStateStore to take (a no-op for anything else,
 * and for an `--input` that does not exist: that run ends with its error before it would use the state).
 */
export function prestartState(argv: readonly string[]): void {
  const dir = replayStateDir(argv);
  const input = optionOf(argv, 'input');
  if (!dir || !azuriteMain() || (input !== undefined && !existsSync(input))) return;
  const started = lockAndStart(dir, 'replay');
  started.catch(() => {}); // reported by openStateStore, which takes it
  // Until openStateStore takes it (and handles signals itself), Ctrl-C or SIGTERM stops it in order, then ends
  // the process as the signal would; the command waits meanwhile (takePrestarted).
  const onSignal = (signal: NodeJS.Signals) => {
    ending ??= abandonPrestarted().finally(() => process.kill(process.pid, signal));
  };
  const unhook = () => {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  early = { dir: resolve(dir), started, unhook };
}

/**
 * What prestartState started for `dir`, once (undefined: nothing, or for another directory). `'ending'` while a
 * signal stops it: the process is about to end, and the caller must start nothing (nor handle signals).
 */
export function takePrestarted(dir: string): Promise<StartedState> | 'ending' | undefined {
  if (ending) return 'ending';
  if (!early || early.dir !== resolve(dir)) return undefined;
  const { started, unhook } = early;
  early = undefined;
  unhook();
  return started;
}

/**
 * Stops what prestartState started and nobody took (the command failed before it opened its state), and removes
 * the directory it created for it: a run refused for its arguments or configuration leaves no state behind.
 */
export async function abandonPrestarted(): Promise<void> {
  const e = early;
  early = undefined;
  if (!e) return;
  e.unhook();
  const s = await e.started.catch(() => undefined);
  if (!s) return;
  await stopStarted(s);
  if (s.created) await rm(s.created, { recursive: true, force: true });
}
