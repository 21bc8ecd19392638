import { describe, expect, test } from 'vitest';
import { trimMessage } from '../../../cli/forward/intake.js';
import { SyslogFramer } from '../../../cli/forward/syslog.js';

const feed = (framer: SyslogFramer, data: string | Buffer, chunk = 7) => {
  const b = Buffer.isBuffer(data) ? data : Buffer.from(data, 'utf8');
  const messages: string[] = [];
  const errors: string[] = [];
  let fatal: string | undefined;
  for (let i = 0; i < b.length; i += chunk) {
    const out = framer.push(b.subarray(i, i + chunk));
    messages.push(...out.messages);
    errors.push(...out.errors.map((e) => e.reason));
    fatal ??= out.fatal;
  }
  const end = framer.end();
  messages.push(...end.messages);
  errors.push(...end.errors.map((e) => e.reason));
  return { messages, errors, fatal, mode: framer.mode };
};

describe('SyslogFramer (RFC 6587, detected per connection)', () => {
  test('octet counting, split across chunks at any byte, multibyte UTF-8 counted in bytes', () => {
    const msgs = ['<9>CEF:0|a|b|1|x|Zoné|8|msg=ü', '<9>second', 'third with\nan embedded newline'];
    const data = msgs.map((m) => `${Buffer.byteLength(m)} ${m}`).join('');
    for (const chunk of [1, 2, 3, 7, 1000]) {
      const r = feed(new SyslogFramer(1024), data, chunk);
      expect(r).toEqual({ messages: msgs, errors: [], fatal: undefined, mode: 'octet' });
    }
  });

  test('a message that is not valid UTF-8 is read as Windows-1252 (a legacy code page), in both framings', () => {
    // "Brauhaus Süd" and "Zoné" as a Windows syslog relay writes them: FC and E9, not UTF-8.
    const legacy = Buffer.from('<9>CEF:0|a|b|1|x|Zon\u00e9|8|dvchost=Brauhaus S\u00fcd', 'latin1');
    const utf8 = Buffer.from('<9>CEF:0|a|b|1|x|Zon\u00e9|8|dvchost=Brauhaus S\u00fcd', 'utf8');
    const expected = '<9>CEF:0|a|b|1|x|Zoné|8|dvchost=Brauhaus Süd';
    const lines = feed(
      new SyslogFramer(1024),
      Buffer.concat([legacy, Buffer.from('\n'), utf8, Buffer.from('\n')]),
      5,
    );
    expect(lines.messages).toEqual([expected, expected]);
    const octet = Buffer.concat([legacy, utf8].flatMap((m) => [Buffer.from(`${m.length} `), m]));
    expect(feed(new SyslogFramer(1024), octet, 3).messages).toEqual([expected, expected]);
  });

  test('octet counting tolerates a newline between frames', () => {
    const r = feed(new SyslogFramer(1024), '5 hello\n5 world\n');
    expect(r.messages).toEqual(['hello', 'world']);
  });

  test('newline framing: LF, CR LF and NUL trailers; blank lines ignored; a last line without LF kept', () => {
    const r = feed(new SyslogFramer(1024), '<9>one\r\n<9>two\n\n<9>three\u0000<9>four');
    expect(r).toEqual({
      messages: ['<9>one', '<9>two', '<9>three', '<9>four'],
      errors: [],
      fatal: undefined,
      mode: 'line',
    });
  });

  test('a bare CEF line (no header) is newline framing', () => {
    expect(feed(new SyslogFramer(1024), 'CEF:0|x\nCEF:0|y\n').messages).toEqual(['CEF:0|x', 'CEF:0|y']);
  });

  test('oversized frames are reported and skipped, the stream goes on', () => {
    const big = 'x'.repeat(100);
    const octet = feed(new SyslogFramer(50), `5 hello100 ${big}5 world`, 13);
    expect(octet.messages).toEqual(['hello', 'world']);
    expect(octet.errors).toEqual(['message too large (100 bytes > 50)']);
    const lines = feed(new SyslogFramer(50), `hello\n${big}\nworld\n`, 13);
    expect(lines.messages).toEqual(['hello', 'world']);
    expect(lines.errors).toHaveLength(1);
    expect(lines.errors[0]).toMatch(/message too large/);
  });

  test('a broken octet count ends the stream; a truncated last frame is reported', () => {
    const bad = feed(new SyslogFramer(1024), '5 hello12x4 oops');
    expect(bad.messages).toEqual(['hello']);
    expect(bad.fatal).toBe('bad octet count');
    const truncated = feed(new SyslogFramer(1024), '5 hello20 only part');
    expect(truncated.messages).toEqual(['hello']);
    expect(truncated.errors).toEqual(['truncated octet-counted frame']);
  });

  test('trimMessage drops trailers and a BOM only', () => {
    expect(trimMessage('\ufeff<9>msg \r\n\u0000')).toBe('<9>msg ');
    expect(trimMessage('<9>msg')).toBe('<9>msg');
  });
});
