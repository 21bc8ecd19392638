import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');

function markdownFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? markdownFiles(join(dir, e.name)) : e.name.endsWith('.md') ? [join(dir, e.name)] : [],
  );
}

/** Relative link targets of a Markdown file (inline links; code spans and fenced blocks skipped). */
function relativeLinks(text: string): string[] {
  const prose = text.replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');
  return [...prose.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((m) => m[1]!)
    .filter((t) => !/^(https?:|mailto:|#)/.test(t))
    .map((t) => t.split('#')[0]!);
}

describe('documentation links', () => {
  const files = [join(ROOT, 'README.md'), join(ROOT, 'SECURITY.md'), ...markdownFiles(join(ROOT, 'docs'))];

  it.each(files.map((f) => relative(ROOT, f)))('%s links only to files that exist', (file) => {
    const missing = relativeLinks(readFileSync(join(ROOT, file), 'utf8')).filter(
      (target) => !existsSync(join(dirname(join(ROOT, file)), target)),
    );
    expect(missing).toEqual([]);
  });

  it('the README stays a front page (at most ~200 lines; the rest lives in docs/)', () => {
    expect(readFileSync(join(ROOT, 'README.md'), 'utf8').split('\n').length).toBeLessThanOrEqual(220);
  });
});
