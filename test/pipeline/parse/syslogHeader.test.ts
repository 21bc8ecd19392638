import { describe, expect, it } from 'vitest';
import { stripSyslogHeader } from '../../../pipeline/parse/syslogHeader.js';
import { NOW } from './fixtures.js';

describe('stripSyslogHeader', () => {
  it.each([
    [
      'RFC 3164 with padded day',
      '<9>Jan  5 10:11:12 plant-a-sensor-01 CEF:0|a',
      { message: 'CEF:0|a', timestamp: '2026-01-05T10:11:12.000Z', hostname: 'plant-a-sensor-01' },
    ],
    [
      'RFC 3164 with single-space day (QRadar sample)',
      '<9>May 5 12:29:23 sensor_Agent LEEF:1.0|x',
      // May is more than a week after the reference date, so it is last year's May.
      { message: 'LEEF:1.0|x', timestamp: '2025-05-05T12:29:23.000Z', hostname: 'sensor_Agent' },
    ],
    [
      'RFC 3164 with a year',
      '<14>Jan 05 2026 10:11:12 host msg text',
      { message: 'msg text', timestamp: '2026-01-05T10:11:12.000Z', hostname: 'host' },
    ],
    [
      'RFC 3164 without PRI (a syslog file)',
      'Jan  5 10:11:12 host CyberX platform name: s1',
      { message: 'CyberX platform name: s1', timestamp: '2026-01-05T10:11:12.000Z', hostname: 'host' },
    ],
    [
      'RFC 3164 with ISO timestamp (rsyslog)',
      '<14>2026-01-05T10:11:12.5+01:00 host msg',
      { message: 'msg', timestamp: '2026-01-05T09:11:12.500Z', hostname: 'host' },
    ],
    [
      'RFC 3164 with the hostname left out',
      '<14>Jan  5 10:11:12 CEF:0|a|b',
      { message: 'CEF:0|a|b', timestamp: '2026-01-05T10:11:12.000Z' },
    ],
    ['PRI only', '<14>CEF:0|a', { message: 'CEF:0|a' }],
    [
      'RFC 5424 with nil SD',
      '<9>1 2026-01-05T10:11:12.123Z plant-b CyberX 1234 ID47 - the message',
      { message: 'the message', timestamp: '2026-01-05T10:11:12.123Z', hostname: 'plant-b' },
    ],
    [
      'RFC 5424 with SD elements and escapes',
      '<9>1 2026-01-05T10:11:12Z h app - - [a x="1\\]" y="\\"q"][b z="2"] CEF:0|m',
      { message: 'CEF:0|m', timestamp: '2026-01-05T10:11:12.000Z', hostname: 'h' },
    ],
    [
      'RFC 5424 with nil timestamp and host, BOM before MSG',
      '<9>1 - - app - - - \uFEFFmsg',
      { message: 'msg' },
    ],
    [
      'octet counting',
      '47 <9>1 2026-01-05T10:11:12Z h app - - - CEF:0|m',
      { message: 'CEF:0|m', timestamp: '2026-01-05T10:11:12.000Z', hostname: 'h' },
    ],
    ['no header at all', 'CEF:0|x|y', { message: 'CEF:0|x|y' }],
    ['plain text that starts with a number', '12 monkeys', { message: '12 monkeys' }],
  ])('%s', (_name, line, expected) => {
    expect(stripSyslogHeader(line, NOW)).toEqual(expected);
  });

  it('keeps the message but drops an impossible header date', () => {
    expect(stripSyslogHeader('<9>Feb 30 10:11:12 host msg', NOW)).toEqual({
      message: 'msg',
      hostname: 'host',
    });
  });

  it('reads `<PRI>1 ` without a 5424 timestamp as PRI plus message, not as header fields', () => {
    // A `-` in the sixth word used to pass for NILVALUE structured data and cut the CEF message.
    const line = '<9>1 CEF:0|Microsoft Defender for IoT/CyberX|a b -c|1|x|T|8|start=1767607872000';
    expect(stripSyslogHeader(line, NOW)).toEqual({ message: line.slice(5) });
  });

  it('leaves a malformed RFC 5424 structured data section alone', () => {
    const line = '<9>1 2026-01-05T10:11:12Z h app - - [unterminated x="1" msg';
    expect(stripSyslogHeader(line, NOW).message).toBe(
      '2026-01-05T10:11:12Z h app - - [unterminated x="1" msg',
    );
  });
});
