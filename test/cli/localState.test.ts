/**
 * Safe local state (issue 16.4): one run per --state directory, Azurite dies with the CLI (or is reaped by the
 * next run), and state is durable before a row is written, so `kill -9` at any point then a re-run gives the
 * counts of one clean run. The process-level cases run the built CLI (dist/, as CI builds it before the tests).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAzurite } from '../../cli/azurite.js';
import { runFile } from '../../cli/commands/runFile.js';
import { azuriteTableClient } from '../../cli/state/azuriteTable.js';
import { LOCK_FILE, StateLockedError } from '../../cli/state/lock.js';
import { isAlive, waitForExit } from '../../cli/state/processes.js';
import { AZURITE_PID_FILE } from '../../cli/stateStore.js';
import { latestRows } from '../../cli/summary.js';
import { cefLine, minute, securityAlert } from '../helpers/records.js';

const T0 = '2026-11-18T02:00:00.000Z';
const ROOT = join(import.meta.dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'cli', 'main.js');
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ot-soc-state-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Many alerts over several groups, sensors and formats, so a run takes a few seconds on Azurite. */
async function input(name: string, n: number): Promise<string> {
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const t = minute(T0, i % 37, i % 50);
    const title = ['Unauthorized PLC Programming', 'Controller Stop', 'Firmware Change'][i % 3]!;
    lines.push(
      i % 4 === 3
        ? cefLine({ t })
        : JSON.stringify(securityAlert({ t, title, sensor: `rtm-pkg-sensor-0${(i % 3) + 1}` })),
    );
  }
  const file = join(dir, name);
  await writeFile(file, `${lines.join('\n')}\n`);
  return file;
}

const options = (inputFile: string, out: string, state?: string) => ({
  input: inputFile,
  out,
  ...(state ? { state } : {}),
  partitions: 1,
  batchSize: 10,
  progress: false,
});

async function rowsOf(out: string): Promise<Record<string, unknown>[]> {
  const text = await readFile(join(out, 'OTAlerts_CL.ndjson'), 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** Rows a running replay has written so far: a read during an append can see its first part, not yet a line. */
async function rowsSoFar(out: string): Promise<number> {
  const text = await readFile(join(out, 'OTAlerts_CL.ndjson'), 'utf8').catch(() => '');
  return text
    .slice(0, text.lastIndexOf('\n') + 1)
    .split('\n')
    .filter((l) => l.trim()).length;
}

/** Latest Count per AlertId, and the (AlertId, Revision) pairs written with two different contents. */
function outcome(rows: Record<string, unknown>[]) {
  const counts = Object.fromEntries(
    [...latestRows(rows).entries()]
      .map(([id, l]) => [id, l.row.Count])
      .sort(([a], [b]) => String(a).localeCompare(String(b))),
  );
  const contents = new Map<string, Set<string>>();
  for (const r of rows) {
    // Whole rows, TimeGenerated too: it is the commit time kept in the group's state, so a row re-sent from a
    // durable outbox is identical, and a revision rebuilt after lost state is not.
    const k = `${r.AlertId}/${r.Revision}`;
    const set = contents.get(k) ?? new Set<string>();
    set.add(JSON.stringify(r));
    contents.set(k, set);
  }
  const conflicts = [...contents].filter(([, s]) => s.size > 1).map(([k]) => k);
  return { counts, conflicts };
}

describe('one run at a time per --state directory', () => {
  it('a second run on the same directory is refused naming the holder; the lock is released after', async () => {
    const file = await input('lock.ndjson', 60);
    const state = join(dir, 'lock-state');
    const first = runFile(options(file, join(dir, 'lock-out1'), state));
    await new Promise((r) => setTimeout(r, 300));
    const second = runFile(options(file, join(dir, 'lock-out2'), state));
    await expect(second).rejects.toBeInstanceOf(StateLockedError);
    await expect(second).rejects.toThrow(new RegExp(`in use by ot-soc process ${process.pid}`));
    const done = await first;
    expect(done.records).toBe(60);
    expect(existsSync(join(state, LOCK_FILE))).toBe(false);
    // Released: the next run on the directory works and changes no count.
    const again = await runFile(options(file, join(dir, 'lock-out1'), state));
    expect(again).toMatchObject({ rowsWritten: 0, records: 60 });
  });

  it('a lock left by a process that is gone is taken over', async () => {
    const state = join(dir, 'stale-state');
    await mkdir(state, { recursive: true });
    const gone = spawn(process.execPath, ['-e', '0']);
    await new Promise((r) => gone.once('exit', r));
    await writeFile(
      join(state, LOCK_FILE),
      JSON.stringify({ pid: gone.pid, startedAt: T0, command: 'replay' }),
    );
    const file = await input('stale.ndjson', 8);
    const summary = await runFile(options(file, join(dir, 'stale-out'), state));
    expect(summary.records).toBe(8);
    expect(existsSync(join(state, LOCK_FILE))).toBe(false);
  });
});

describe('Azurite: durable when asked, never left running', () => {
  async function entityCount(location: string): Promise<number> {
    const azurite = await startAzurite({ location });
    try {
      const table = azuriteTableClient(azurite.tableUrl, 'durability');
      let n = 0;
      try {
        for await (const _ of table.listEntities()) n++;
      } catch {
        return 0; // no such table: nothing was saved
      }
      return n;
    } finally {
      await azurite.stop();
    }
  }

  it('flush() saves the Table data: it survives Azurite being killed (-9); without it, it is lost', async () => {
    for (const flush of [true, false]) {
      const location = join(dir, `durable-${flush}`);
      await mkdir(location, { recursive: true });
      const azurite = await startAzurite({ location });
      const table = azuriteTableClient(azurite.tableUrl, 'durability');
      await table.createTable();
      for (let i = 0; i < 5; i++) await table.createEntity({ partitionKey: 'p', rowKey: String(i), n: i });
      if (flush) await azurite.flush();
      process.kill(azurite.pid, 'SIGKILL');
      await waitForExit(azurite.pid, 5000);
      expect(await entityCount(location), `flush ${flush}`).toBe(flush ? 5 : 0);
    }
  });

  it('an Azurite left running on the directory by an earlier run is stopped by the next run', async () => {
    const state = join(dir, 'orphan-state');
    const location = join(state, 'azurite');
    await mkdir(location, { recursive: true });
    const orphan = await startAzurite({ location, pidFile: join(state, AZURITE_PID_FILE) });
    expect(isAlive(orphan.pid)).toBe(true);
    const file = await input('orphan.ndjson', 12);
    const summary = await runFile(options(file, join(dir, 'orphan-out'), state));
    expect(summary.records).toBe(12);
    expect(isAlive(orphan.pid)).toBe(false);
    expect(existsSync(join(state, AZURITE_PID_FILE))).toBe(false);
  });
});

// ---- the built CLI as a real process ----

function replay(inputFile: string, out: string, state: string): ChildProcess {
  return spawn(
    process.execPath,
    [CLI, 'replay', '--input', inputFile, '--out', out, '--state', state, '--batch', '10', '--no-progress'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
}

async function finished(
  child: ChildProcess,
): Promise<{ code: number | null; signal: string | null; err: string }> {
  let err = '';
  child.stderr?.on('data', (d: Buffer) => {
    err += d.toString();
  });
  child.stdout?.resume();
  const [code, signal] = (await new Promise((r) => child.once('exit', (c, s) => r([c, s])))) as [
    number | null,
    string | null,
  ];
  return { code, signal, err };
}

/** The pid of the Azurite this run started (a pid file left by an earlier run names a process that is gone). */
async function azuritePid(state: string, timeoutMs = 30_000): Promise<number> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      const recorded = JSON.parse(await readFile(join(state, AZURITE_PID_FILE), 'utf8')) as { pid: number };
      if (isAlive(recorded.pid)) return recorded.pid;
    } catch {
      // not written yet
    }
    if (Date.now() > until) throw new Error('Azurite did not start');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.skipIf(!existsSync(CLI))('the CLI as a process (dist/cli/main.js)', () => {
  it('two replays at once on one --state: the second exits 2 naming the first one’s pid', async () => {
    const file = await input('procs.ndjson', 3000);
    const state = join(dir, 'procs-state');
    const a = replay(file, join(dir, 'procs-a'), state);
    const aDone = finished(a);
    await azuritePid(state);
    const b = await finished(replay(file, join(dir, 'procs-b'), state));
    const aRunning = a.exitCode === null;
    a.kill('SIGTERM'); // no need to wait for the long run: it stops in order (see below)
    expect(aRunning, 'the first run was still running when the second was refused').toBe(true);
    expect(b.code).toBe(2);
    expect(b.err).toContain(`in use by ot-soc process ${a.pid}`);
    await aDone;
  }, 60_000);

  it('a replay that fails before it opens its state (unreadable --input) leaves no Azurite and no lock', async () => {
    // Azurite for `replay --state` starts while the CLI loads (cli/state/prestart.ts), before the input is checked.
    const state = join(dir, 'bad-input-state');
    const r = await finished(replay(join(dir, 'missing.ndjson'), join(dir, 'bad-input-out'), state));
    expect(r.code).toBe(2);
    expect(r.err).toContain('cannot read --input');
    expect(existsSync(join(state, LOCK_FILE))).toBe(false);
    expect(existsSync(join(state, AZURITE_PID_FILE))).toBe(false);
    expect(existsSync(state), 'nothing was started for an input that does not exist').toBe(false);
  }, 60_000);

  /** Runs the CLI with a configuration it refuses; says whether this run's Azurite was seen (its pid file). */
  async function refusedRun(
    state: string,
    name: string,
  ): Promise<{ code: number | null; err: string; started: boolean }> {
    const file = await input(`${name}.ndjson`, 5);
    const config = join(dir, `${name}.json`);
    await writeFile(config, '{"grouping": {"windowMinutes": "soon"}}');
    const out = join(dir, `${name}-out`);
    const child = spawn(
      process.execPath,
      [CLI, 'replay', '--input', file, '--out', out, '--state', state, '--config', config],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let started = false;
    const watch = setInterval(() => {
      started ||= existsSync(join(state, AZURITE_PID_FILE));
    }, 10);
    const r = await finished(child).finally(() => clearInterval(watch));
    expect(existsSync(out), 'a refused configuration creates no --out').toBe(false);
    return { ...r, started };
  }

  it('a replay refused for its configuration after Azurite started early stops it, unlocks, and leaves no new directory', async () => {
    // Under a parent that does not exist either: the parent it created goes too.
    const parent = join(dir, 'bad-config-parent');
    const state = join(parent, 'state');
    const r = await refusedRun(state, 'bad-config');
    expect(r.code).toBe(2);
    expect(r.err).toContain('windowMinutes');
    expect(r.started, 'Azurite was started while the CLI loaded').toBe(true);
    expect(existsSync(parent), 'the directories this run created are gone').toBe(false);
  }, 60_000);

  it('a refused replay keeps what the state directory held: a directory of the user, and the state of earlier runs', async () => {
    // A directory that exists without state: only what this run added goes.
    const empty = join(dir, 'bad-config-existing');
    await mkdir(empty);
    await writeFile(join(empty, 'notes.txt'), 'mine');
    const r = await refusedRun(empty, 'bad-config-existing');
    expect([r.code, r.started]).toEqual([2, true]);
    expect(await readdir(empty)).toEqual(['notes.txt']);
    // State of an earlier run: everything stays, and the next run still sees it.
    const state = join(dir, 'bad-config-kept');
    const file = await input('bad-config-kept.ndjson', 20);
    const first = await runFile(options(file, join(dir, 'bad-config-kept-out'), state));
    const again = await refusedRun(state, 'bad-config-kept-2');
    expect([again.code, again.started]).toEqual([2, true]);
    // (Its Azurite folded the journal into the database at start: the files change, the data does not.)
    expect(existsSync(join(state, 'azurite', '__azurite_db_table__.json'))).toBe(true);
    expect(existsSync(join(state, LOCK_FILE))).toBe(false);
    expect(existsSync(join(state, AZURITE_PID_FILE))).toBe(false);
    const rerun = await runFile(options(file, join(dir, 'bad-config-kept-out'), state));
    expect(first.groups).toBeGreaterThan(0);
    expect(rerun.duplicatesIgnored).toBe(20);
  }, 90_000);

  // The signal comes as soon as this run's Azurite exists: while the CLI still loads, or already runs.
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    it(`${signal} stops Azurite and releases the lock`, async () => {
      const file = await input(`${signal}.ndjson`, 300);
      const state = join(dir, `${signal}-state`);
      const child = replay(file, join(dir, `${signal}-out`), state);
      const done = finished(child);
      const pid = await azuritePid(state);
      child.kill(signal);
      const r = await done;
      expect(r.signal ?? r.code).toBeTruthy();
      expect(await waitForExit(pid, 15_000)).toBe(true);
      expect(existsSync(join(state, LOCK_FILE))).toBe(false);
      expect(existsSync(join(state, AZURITE_PID_FILE))).toBe(false);
    }, 60_000);

  it('kill -9 at random points (the CLI, or the CLI and Azurite), then a re-run: the counts of one clean run', async () => {
    const file = await input('crash.ndjson', 400);
    const clean = join(dir, 'crash-clean');
    await runFile(options(file, clean, join(dir, 'crash-clean-state')));
    const want = outcome(await rowsOf(clean));
    expect(want.conflicts).toEqual([]);

    const out = join(dir, 'crash-out');
    const state = join(dir, 'crash-state');
    let seed = 20261206;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let round = 0; round < 4; round++) {
      const child = replay(file, out, state);
      const done = finished(child);
      const pid = await azuritePid(state);
      // Kill mid-run: once this round has written 5–40 rows (a restarted run first re-sends the rows it still
      // owed, identical; new revisions come after them), or the run ended, after a random further delay.
      const target = (await rowsSoFar(out)) + 5 + Math.floor(random() * 35);
      while (child.exitCode === null && (await rowsSoFar(out)) < target)
        await new Promise((r) => setTimeout(r, 20));
      await new Promise((r) => setTimeout(r, random() * 300));
      const both = round % 2 === 1;
      // Azurite first when both die: killed after the CLI, it would see the CLI go and save in between.
      if (both && isAlive(pid)) process.kill(pid, 'SIGKILL');
      child.kill('SIGKILL');
      await done;
      await waitForExit(pid, 15_000);
    }
    expect((await rowsOf(out)).length).toBeGreaterThan(0);
    const last = await finished(replay(file, out, state));
    expect(last.code, last.err).toBe(0);
    const got = outcome(await rowsOf(out));
    expect(got.conflicts).toEqual([]);
    expect(got.counts).toEqual(want.counts);
  }, 300_000);
});
