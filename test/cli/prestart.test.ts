import { describe, expect, it } from 'vitest';
import { replayStateDir } from '../../cli/state/prestart.js';

// Which command lines start Azurite early (cli/state/prestart.ts): `replay` with --state, in either spelling.
describe('replayStateDir', () => {
  const argv = (...a: string[]) => ['node', 'main.js', ...a];
  it('finds --state DIR and --state=DIR of replay', () => {
    expect(replayStateDir(argv('replay', '--input', 'a', '--state', 'st', '--out', 'o'))).toBe('st');
    expect(replayStateDir(argv('replay', '--state=st dir'))).toBe('st dir');
  });
  it('starts nothing for other commands, without --state, or after --', () => {
    expect(replayStateDir(argv('demo', '--state', 'st'))).toBeUndefined();
    expect(replayStateDir(argv('replay', '--input', 'a'))).toBeUndefined();
    expect(replayStateDir(argv('replay', '--', '--state', 'st'))).toBeUndefined();
    expect(replayStateDir(argv('--help'))).toBeUndefined();
  });
});
