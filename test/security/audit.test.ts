/**
 * Rule 7 (issue 11): `npm audit --omit=dev` gates CI on high/critical advisories (scripts/audit.mjs, wired into
 * .ci/run after `npm ci`). The registry here answers the audit endpoint with 405, so the decision logic is tested on
 * recorded outputs: `error-405.json` and `error-offline.json` are what npm 11 printed on this machine (405 from the
 * registry; ECONNREFUSED with --registry http://127.0.0.1:9/); `findings.json`, `moderate-only.json` and
 * `clean.json` have npm 11's report shape with synthetic package names and advisories.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { blockingFindings, decide } from '../../scripts/audit.mjs';

const ROOT = join(import.meta.dirname, '..', '..');
const SAMPLES = join(import.meta.dirname, 'audit-samples');
const sample = (name: string) => readFileSync(join(SAMPLES, name), 'utf8');
const execFileAsync = promisify(execFile);

describe('scripts/audit.mjs decision (recorded npm audit --json outputs)', () => {
  it('fails on high and critical findings and lists each one with its advisory', () => {
    const d = decide({ stdout: sample('findings.json'), stderr: '', status: 1 });
    expect(d.exitCode).toBe(1);
    expect(d.lines[0]).toBe(
      'npm audit: 2 package(s) with high or critical advisories in 143 production dependencies (1 critical, 1 high, 1 moderate, 1 low, 0 info):',
    );
    expect(d.lines[1]).toMatch(
      /^ {2}CRITICAL fixture-xml-parser <4\.2\.5 — Prototype pollution .*GHSA-aaaa-bbbb-cccc.*\[fix available\]$/,
    );
    expect(d.lines[2]).toMatch(/^ {2}HIGH fixture-sdk-core 1\.0\.0 - 1\.9\.3 — through fixture-xml-parser/);
    // Moderate and low are reported in the counts, never listed as blocking.
    expect(d.lines.join('\n')).not.toMatch(/fixture-url-lib|fixture-debug/);
  });

  it('passes a clean report and one with moderate findings only', () => {
    for (const name of ['clean.json', 'moderate-only.json']) {
      const d = decide({ stdout: sample(name), stderr: '', status: name === 'clean.json' ? 0 : 1 });
      expect(d).toEqual({
        exitCode: 0,
        lines: [
          expect.stringMatching(/^npm audit: no high or critical advisories in 143 production dependencies/),
        ],
      });
    }
  });

  it('skips with a clear warning when the registry has no audit endpoint (405 here) or is unreachable', () => {
    const d405 = decide({
      stdout: sample('error-405.json'),
      stderr: 'npm error audit endpoint returned an error\n',
      status: 1,
    });
    expect(d405.exitCode).toBe(0);
    expect(d405.lines).toEqual([
      expect.stringMatching(/^npm audit: skipped — the registry did not answer the audit request .*HTTP 405/),
    ]);
    const offline = decide({ stdout: sample('error-offline.json'), stderr: '', status: 1 });
    expect(offline.exitCode).toBe(0);
    expect(offline.lines[0]).toMatch(/^npm audit: skipped — .*ECONNREFUSED/);
    // npm that printed nothing usable, or could not be started at all, is a skip too, never a silent pass.
    expect(decide({ stdout: '', stderr: 'npm error network socket hang up\n', status: 1 }).lines[0]).toMatch(
      /^npm audit: skipped — no audit report \(npm error network socket hang up\)/,
    );
    expect(
      decide({ stdout: '', spawnError: Object.assign(new Error('spawn npm ENOENT'), { code: 'ENOENT' }) }),
    ).toEqual({ exitCode: 0, lines: ['npm audit: skipped — npm could not be run (spawn npm ENOENT)'] });
  });

  it('a missing lockfile is a failure (the project is wrong), not a skip', () => {
    const d = decide({
      stdout: JSON.stringify({
        error: { code: 'ENOLOCK', summary: 'This command requires an existing lockfile.', detail: '' },
      }),
      status: 1,
    });
    expect(d.exitCode).toBe(1);
    expect(d.lines[0]).toMatch(/^npm audit: cannot audit — This command requires an existing lockfile/);
  });

  it('reads npm 6 reports (advisories by id) too', () => {
    const v1 = {
      advisories: {
        '1': {
          module_name: 'fixture-old',
          severity: 'high',
          title: 'Command injection (synthetic)',
          url: 'https://github.com/advisories/GHSA-kkkk-llll-mmmm',
          vulnerable_versions: '<1.2.0',
          patched_versions: '>=1.2.0',
        },
        '2': { module_name: 'fixture-minor', severity: 'low', title: 'x' },
      },
      metadata: { vulnerabilities: { info: 0, low: 1, moderate: 0, high: 1, critical: 0 } },
    };
    expect(blockingFindings(v1)).toEqual([
      {
        name: 'fixture-old',
        severity: 'high',
        range: '<1.2.0',
        detail: 'Command injection (synthetic) (https://github.com/advisories/GHSA-kkkk-llll-mmmm)',
        fix: 'patched in >=1.2.0',
      },
    ]);
    expect(decide({ stdout: JSON.stringify(v1), status: 1 }).exitCode).toBe(1);
  });

  it('the script exits 1 on findings and 0 on a skip, as .ci/run sees it', async () => {
    const script = join(ROOT, 'scripts', 'audit.mjs');
    const failed = await execFileAsync(process.execPath, [
      script,
      '--report',
      join(SAMPLES, 'findings.json'),
    ]).then(
      () => 0,
      (e: { code: number }) => e.code,
    );
    expect(failed).toBe(1);
    const skipped = await execFileAsync(process.execPath, [
      script,
      '--report',
      join(SAMPLES, 'error-405.json'),
    ]);
    expect(skipped.stderr).toMatch(/^npm audit: skipped — /);
  });

  it('.ci/run runs it after npm ci and before the tests, and keeps its last-line contract', () => {
    const ci = readFileSync(join(ROOT, '.ci', 'run'), 'utf8');
    const audit = ci.indexOf('node scripts/audit.mjs');
    expect(audit).toBeGreaterThan(ci.indexOf('step "npm ci"'));
    expect(audit).toBeLessThan(ci.indexOf('npm test'));
    expect(ci.slice(0, audit).split('\n').at(-1)).toMatch(/^step "/); // a counted step: a failure fails CI
    expect(ci).toMatch(/^echo "\$\{passed\} passed, \$\{failed\} failed"$/m);
  });
});
