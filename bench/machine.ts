/** What the figures were measured on: they mean little without the machine and its load next to them. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';

export interface Machine {
  cpu: string;
  /** Logical CPUs this process may use. */
  cores: number;
  memoryGiB: number;
  node: string;
  v8: string;
  platform: string;
  /** 1, 5 and 15 minute load averages when the run started (and ended, filled in by the runner). */
  loadStart: number[];
  loadEnd?: number[];
  /** cgroup CPU quota in cores, when the container has one. */
  cpuQuota?: number;
}

function cgroupQuota(): number | undefined {
  try {
    const [quota, period] = readFileSync('/sys/fs/cgroup/cpu.max', 'utf8').trim().split(/\s+/);
    if (quota === undefined || quota === 'max' || period === undefined) return undefined;
    return Number(quota) / Number(period);
  } catch {
    return undefined;
  }
}

const round2 = (n: number): number => Math.round(n * 100) / 100;

export function describeMachine(): Machine {
  const cpus = os.cpus();
  const m: Machine = {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: os.availableParallelism(),
    memoryGiB: round2(os.totalmem() / 1024 ** 3),
    node: process.version,
    v8: process.versions.v8,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    loadStart: os.loadavg().map(round2),
  };
  const quota = cgroupQuota();
  if (quota !== undefined) m.cpuQuota = quota;
  return m;
}

export function currentLoad(): number[] {
  return os.loadavg().map(round2);
}

export function machineLine(m: Machine): string {
  const load = `load ${m.loadStart.join(' / ')}${m.loadEnd ? ` → ${m.loadEnd.join(' / ')}` : ''}`;
  const quota = m.cpuQuota !== undefined ? `, quota ${m.cpuQuota} CPU` : '';
  return `${m.cpu}, ${m.cores} cores${quota}, ${m.memoryGiB} GiB, Node ${m.node}, ${load}`;
}

/** `git rev-parse --short HEAD`, plus `+dirty` when the work tree has changes; `unknown` outside git. */
export function gitRevision(cwd: string): string {
  try {
    const rev = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], {
      cwd,
      encoding: 'utf8',
    }).trim();
    return dirty ? `${rev}+dirty` : rev;
  } catch {
    return 'unknown';
  }
}
