import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OTALERTS_COLUMNS } from '../../pipeline/sink/schema.js';
import { referenceDocs } from '../../scripts/gen-docs.js';

const ROOT = join(import.meta.dirname, '../..');

describe('docs/reference (generated from the code)', () => {
  const pages = referenceDocs();

  it.each(Object.keys(pages))(
    '%s is up to date (run `npm run gen:docs` after changing its source)',
    (path) => {
      expect(readFileSync(join(ROOT, path), 'utf8')).toBe(pages[path]);
    },
  );

  it('lists every column, every app setting with its default, and every command', () => {
    const columns = pages['docs/reference/columns.md']!;
    for (const c of OTALERTS_COLUMNS) expect(columns).toContain(`| \`${c.name}\` | ${c.type} |`);
    const settings = pages['docs/reference/app-settings.md']!;
    expect(settings).toContain('| `OTSOC_STREAM` | `Custom-OTAlerts_CL` |');
    expect(settings).toContain('| `OTSOC_REDRIVE_LIMIT` | `200` |');
    expect(settings).not.toMatch(/\| `OTSOC_\w+` \| [^|]+ \| {2}\|/); // every setting says what it is for
    const cli = pages['docs/reference/cli.md']!;
    for (const c of ['demo', 'replay', 'redrive', 'forward', 'send', 'validate', 'coverage']) {
      expect(cli).toContain(`## \`ot-soc ${c}\``);
    }
  });
});
