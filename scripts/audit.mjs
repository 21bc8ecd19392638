#!/usr/bin/env node
/**
 * `npm audit --omit=dev` as a CI gate: exit 1 when a production dependency has a high or critical advisory
 * (each one listed), exit 0 when there is none. When the registry cannot answer the audit (offline, a mirror or
 * proxy without the advisories endpoint: 404/405/501, a network error) it prints
 * `npm audit: skipped — <reason>` and exits 0: the gate cannot be evaluated there, which is a warning, not a
 * pass or a failure of the change. Plain Node, no dependencies (it runs right after `npm ci`).
 *
 *   node scripts/audit.mjs                   run npm audit --omit=dev --json and decide
 *   node scripts/audit.mjs --report <file>   decide on a recorded `npm audit --json` output (tests, debugging)
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Severities that fail the gate. */
export const BLOCKING = ['critical', 'high'];

/** npm error codes that mean "the audit could not be asked", not "the project is wrong". */
const UNREACHABLE_CODES = new Set([
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPROTO',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
]);
const UNREACHABLE_TEXT =
  /audit endpoint returned an error|request to \S+ failed|ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|network|socket hang up/i;

const oneLine = (s, max = 200) => {
  const t = String(s ?? '')
    .replace(/\s+/g, ' ')
    .trim();
  return t.length > max ? `${t.slice(0, max)}…` : t;
};

/**
 * The blocking findings of an `npm audit --json` report: npm 7+ (`auditReportVersion: 2`, `vulnerabilities` by
 * package) and npm 6 (`advisories` by id). One entry per vulnerable package (v2) or advisory (v1).
 */
export function blockingFindings(report) {
  const out = [];
  if (report && typeof report.vulnerabilities === 'object' && report.vulnerabilities !== null) {
    for (const [name, v] of Object.entries(report.vulnerabilities)) {
      if (!BLOCKING.includes(v?.severity)) continue;
      const advisories = (Array.isArray(v.via) ? v.via : []).filter((x) => typeof x === 'object' && x);
      const titles = advisories.map((a) => `${a.title ?? 'advisory'}${a.url ? ` (${a.url})` : ''}`);
      const via = (Array.isArray(v.via) ? v.via : []).filter((x) => typeof x === 'string');
      out.push({
        name: v.name ?? name,
        severity: v.severity,
        range: v.range ?? '',
        detail: titles.length ? titles.join('; ') : via.length ? `through ${via.join(', ')}` : '',
        fix: v.fixAvailable === false ? 'no fix available' : v.fixAvailable ? 'fix available' : '',
      });
    }
  }
  if (report && typeof report.advisories === 'object' && report.advisories !== null) {
    for (const a of Object.values(report.advisories)) {
      if (!BLOCKING.includes(a?.severity)) continue;
      out.push({
        name: a.module_name ?? '?',
        severity: a.severity,
        range: a.vulnerable_versions ?? '',
        detail: `${a.title ?? 'advisory'}${a.url ? ` (${a.url})` : ''}`,
        fix: a.patched_versions ? `patched in ${a.patched_versions}` : '',
      });
    }
  }
  const rank = (s) => BLOCKING.indexOf(s);
  return out.sort((x, y) => rank(x.severity) - rank(y.severity) || x.name.localeCompare(y.name));
}

/** Why npm produced no report, when its output is an error object (or nothing usable). */
function errorReason(report, stderr) {
  const e = report?.error ?? {};
  const code = e.code ?? report?.code;
  const status = report?.statusCode;
  const message = oneLine(report?.message ?? e.summary ?? e.detail ?? '');
  return { code, status, message: message || oneLine(lastErrorLine(stderr)) };
}

function lastErrorLine(stderr) {
  const lines = String(stderr ?? '')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => /^npm (error|ERR!|warn audit)/i.test(l) && !/complete log of this run/i.test(l));
  return lines.at(-1) ?? '';
}

/**
 * The decision on one npm audit run: `{ exitCode, lines }`. `run` is what npm gave: `stdout` (the JSON),
 * `stderr`, `status` (its exit code; npm exits 1 when it finds anything at all) and `spawnError` (npm missing).
 */
export function decide(run) {
  if (run.spawnError)
    return {
      exitCode: 0,
      lines: [
        `npm audit: skipped — npm could not be run (${oneLine(run.spawnError.message ?? run.spawnError)})`,
      ],
    };
  let report;
  try {
    report = JSON.parse(run.stdout);
  } catch {
    const why = oneLine(lastErrorLine(run.stderr)) || 'npm printed no JSON report';
    return { exitCode: 0, lines: [`npm audit: skipped — no audit report (${why})`] };
  }
  const isReport =
    report &&
    typeof report === 'object' &&
    !report.error &&
    (report.auditReportVersion !== undefined || report.advisories !== undefined || report.metadata);
  if (!isReport) {
    const { code, status, message } = errorReason(report, run.stderr);
    if (code === 'ENOLOCK' || code === 'EAUDITNOLOCK')
      return {
        exitCode: 1,
        lines: [`npm audit: cannot audit — ${message || code} (commit package-lock.json)`],
      };
    const unreachable =
      (code && UNREACHABLE_CODES.has(code)) ||
      (typeof status === 'number' && status >= 400) ||
      UNREACHABLE_TEXT.test(message) ||
      UNREACHABLE_TEXT.test(String(run.stderr ?? ''));
    const what = [status ? `HTTP ${status}` : '', code ?? '', message].filter(Boolean).join(': ');
    return {
      exitCode: 0,
      lines: [
        `npm audit: skipped — ${
          unreachable
            ? 'the registry did not answer the audit request (offline, or a mirror without the advisories endpoint)'
            : 'npm could not produce an audit report'
        }${what ? `: ${what}` : ''}`,
      ],
    };
  }
  const found = blockingFindings(report);
  const counts = report.metadata?.vulnerabilities ?? {};
  const summary = ['critical', 'high', 'moderate', 'low', 'info']
    .map((s) => `${counts[s] ?? 0} ${s}`)
    .join(', ');
  const deps = report.metadata?.dependencies;
  const scope = deps ? ` in ${deps.prod ?? deps.total ?? '?'} production dependencies` : '';
  if (found.length === 0)
    return {
      exitCode: 0,
      lines: [`npm audit: no high or critical advisories${scope} (${summary})`],
    };
  return {
    exitCode: 1,
    lines: [
      `npm audit: ${found.length} package(s) with high or critical advisories${scope} (${summary}):`,
      ...found.map(
        (f) =>
          `  ${f.severity.toUpperCase()} ${f.name}${f.range ? ` ${f.range}` : ''}${f.detail ? ` — ${f.detail}` : ''}${f.fix ? ` [${f.fix}]` : ''}`,
      ),
      'Update them (npm audit fix --omit=dev, or a newer version of the direct dependency) before merging.',
    ],
  };
}

function main(argv) {
  const at = argv.indexOf('--report');
  let run;
  if (at >= 0) {
    const file = argv[at + 1];
    if (!file) {
      console.error('usage: node scripts/audit.mjs [--report <npm-audit.json>]');
      return 2;
    }
    run = { stdout: readFileSync(file, 'utf8'), stderr: '', status: null };
  } else {
    const r = spawnSync('npm', ['audit', '--omit=dev', '--json'], {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
      shell: process.platform === 'win32',
    });
    run = { stdout: r.stdout ?? '', stderr: r.stderr ?? '', status: r.status, spawnError: r.error };
  }
  const { exitCode, lines } = decide(run);
  for (const l of lines) (exitCode === 0 && !l.includes('skipped') ? console.log : console.error)(l);
  return exitCode;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main(process.argv.slice(2));
}
