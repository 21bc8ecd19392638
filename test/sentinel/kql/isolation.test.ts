/** The local KQL engine (and the local Sentinel around it) is a test double: no product path may import it. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('isolation', () => {
  it('pipeline/, functions/ and playbooks/ never import the top-level sentinel/ folder', () => {
    const root = resolve('.');
    const offenders: string[] = [];
    for (const f of ['pipeline', 'functions', 'playbooks'].flatMap(files)) {
      for (const m of readFileSync(f, 'utf8').matchAll(/(?:from|import)\s*\(?\s*['"](\.[^'"]+)['"]/g)) {
        const target = relative(root, resolve(dirname(f), m[1]!));
        if (target === 'sentinel' || target.startsWith('sentinel/')) offenders.push(`${f} -> ${m[1]}`);
      }
    }
    expect(offenders).toEqual([]);
  });
});
