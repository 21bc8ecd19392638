/** Scalar functions and operators: documented examples with their documented results. */
import { describe } from 'vitest';
import { conform, scalar } from './conform.js';

const BIN = 'https://learn.microsoft.com/kusto/query/bin-function';
const ROUND = 'https://learn.microsoft.com/kusto/query/round-function';
const DIFF = 'https://learn.microsoft.com/kusto/query/datetime-diff-function';
const EXTRACT_ALL = 'https://learn.microsoft.com/kusto/query/extract-all-function';
const NULLS = 'https://learn.microsoft.com/kusto/query/scalar-data-types/null-values';

describe('bin()', () => {
  scalar(BIN, 'bin(4.5, 1)', 4);
  scalar(BIN, 'bin(time(16d), 7d)', 14 * 86_400_000);
  scalar(BIN, 'bin(datetime(1970-05-11 13:45:07), 1d)', '1970-05-11T00:00:00.000Z');
});

describe('round()', () => {
  scalar(ROUND, 'round(2.98765, 3)', 2.988);
  scalar(ROUND, 'round(2.15, 1)', 2.2);
  scalar(ROUND, 'round(2.15)', 2);
  scalar(ROUND, 'round(-50.55, -2)', -100);
  scalar(ROUND, 'round(21.5, -1)', 20);
});

describe('datetime_diff()', () => {
  scalar(DIFF, "datetime_diff('year',datetime(2017-01-01),datetime(2000-12-31))", 17);
  scalar(DIFF, "datetime_diff('quarter',datetime(2017-07-01),datetime(2017-03-30))", 2);
  scalar(DIFF, "datetime_diff('month',datetime(2017-01-01),datetime(2015-12-30))", 13);
  scalar(DIFF, "datetime_diff('week',datetime(2017-10-29 00:00),datetime(2017-09-30 23:59))", 5);
  scalar(DIFF, "datetime_diff('day',datetime(2017-10-29 00:00),datetime(2017-09-30 23:59))", 29);
  scalar(DIFF, "datetime_diff('hour',datetime(2017-10-31 01:00),datetime(2017-10-30 23:59))", 2);
  scalar(DIFF, "datetime_diff('minute',datetime(2017-10-30 23:05:01),datetime(2017-10-30 23:00:59))", 5);
  scalar(
    DIFF,
    "datetime_diff('second',datetime(2017-10-30 23:00:10.100),datetime(2017-10-30 23:00:00.900))",
    10,
  );
  scalar(
    DIFF,
    "datetime_diff('millisecond',datetime(2017-10-30 23:00:00.200100),datetime(2017-10-30 23:00:00.100900))",
    100,
  );
});

describe('extract_all()', () => {
  scalar(EXTRACT_ALL, 'extract_all(@"(\\d+)", "a set of numbers: 123, 567 and 789")', ['123', '567', '789']);
  conform('one capture group', {
    doc: EXTRACT_ALL,
    query:
      'print Id="82b8be2d-dfa7-4bd1-8f63-24ad26d31449"\n| extend guid_bytes = extract_all(@"([\\da-f]{2})", Id)',
    columns: ['Id', 'guid_bytes'],
    rows: [
      [
        '82b8be2d-dfa7-4bd1-8f63-24ad26d31449',
        ['82', 'b8', 'be', '2d', 'df', 'a7', '4b', 'd1', '8f', '63', '24', 'ad', '26', 'd3', '14', '49'],
      ],
    ],
  });
  conform('several capture groups', {
    doc: EXTRACT_ALL,
    query:
      'print Id="82b8be2d-dfa7-4bd1-8f63-24ad26d31449"\n| extend guid_bytes = extract_all(@"(\\w)(\\w+)(\\w)", Id)',
    rows: [
      [
        '82b8be2d-dfa7-4bd1-8f63-24ad26d31449',
        [
          ['8', '2b8be2', 'd'],
          ['d', 'fa', '7'],
          ['4', 'bd', '1'],
          ['8', 'f6', '3'],
          ['2', '4ad26d3144', '9'],
        ],
      ],
    ],
  });
});

describe('null values', () => {
  conform('comparisons with null', {
    doc: NULLS,
    query: `datatable(val:int)[5, int(null)]
| extend IsBiggerThan3 = val > 3
| extend IsBiggerThan3OrNull = val > 3 or isnull(val)
| extend IsEqualToNull = val == int(null)
| extend IsNotEqualToNull = val != int(null)`,
    columns: ['val', 'IsBiggerThan3', 'IsBiggerThan3OrNull', 'IsEqualToNull', 'IsNotEqualToNull'],
    rows: [
      [5, true, true, false, true],
      [null, null, true, null, null],
    ],
  });
  conform('null != 5 is true, so where keeps the row', {
    doc: NULLS,
    query: 'datatable(ival:int, sval:string)[5, "a", int(null), "b"]\n| where ival != 5',
    rows: [[null, 'b']],
  });
});

const SPLIT = 'https://learn.microsoft.com/kusto/query/split-function';
const IPV4 = 'https://learn.microsoft.com/kusto/query/ipv4-is-private-function';

describe('split()', () => {
  conform('documented examples', {
    doc: SPLIT,
    query: `print
    split("aa_bb", "_"),
    split("aaa_bbb_ccc", "_", 1),
    split("", "_"),
    split("a__b", "_"),
    split("aabbcc", "bb")`,
    columns: ['print_0', 'print_1', 'print_2', 'print_3', 'print_4'],
    rows: [[['aa', 'bb'], ['bbb'], [''], ['a', '', 'b'], ['aa', 'cc']]],
  });
});

describe('ipv4_is_private()', () => {
  scalar(IPV4, "ipv4_is_private('192.168.1.1/24')", true);
  scalar(IPV4, "ipv4_is_private('10.1.2.3/24')", true);
  scalar(IPV4, "ipv4_is_private('202.1.2.3')", false);
  scalar(IPV4, 'ipv4_is_private("127.0.0.1")', false);
  conform('over a datatable', {
    doc: IPV4,
    query: `datatable(ip_string:string)
[
 '10.1.2.3',
 '192.168.1.1/24',
 '127.0.0.1',
]
| extend result = ipv4_is_private(ip_string)`,
    columns: ['ip_string', 'result'],
    rows: [
      ['10.1.2.3', true],
      ['192.168.1.1/24', true],
      ['127.0.0.1', false],
    ],
  });
});

const page = (name: string) => `https://learn.microsoft.com/kusto/query/${name}`;

describe('conditional and null functions', () => {
  scalar(page('coalesce-function'), 'coalesce(tolong("not a number"), tolong("42"), 33)', 42);
  scalar(page('max-of-function'), 'max_of(10, 1, -3, 17)', 17);
  conform('max_of: non-null values take precedence over null', {
    doc: page('max-of-function'),
    query: `datatable (A: int, B: int)
[
    1, 6,
    8, 1,
    int(null), 2,
    1, int(null),
    int(null), int(null)
]
| project max_of(A, B)`,
    ordered: true,
    rows: [[6], [8], [2], [1], [null]],
  });
  conform('case: the first satisfied predicate', {
    doc: page('case-function'),
    query: `range Size from 1 to 15 step 2
| extend bucket = case(Size <= 3, "Small",
                       Size <= 10, "Medium",
                       "Large")`,
    columns: ['Size', 'bucket'],
    ordered: true,
    rows: [
      [1, 'Small'],
      [3, 'Small'],
      [5, 'Medium'],
      [7, 'Medium'],
      [9, 'Medium'],
      [11, 'Large'],
      [13, 'Large'],
      [15, 'Large'],
    ],
  });
  scalar(page('isempty-function'), 'isempty("")', true);
  scalar(page('isempty-function'), 'isempty("x")', false);
  scalar(page('isempty-function'), 'isempty(parsejson(""))', true);
  scalar(page('isempty-function'), 'isempty(parsejson("[]"))', false);
  scalar(page('isempty-function'), 'isempty(parsejson("{}"))', false);
});

describe('dynamic functions', () => {
  scalar(page('array-length-function'), 'array_length(dynamic([1, 2, 3, "four"]))', 4);
  scalar(page('strcat-array-function'), 'strcat_array(dynamic([1, 2, 3]), "->")', '1->2->3');
  scalar(page('strcat-array-function'), `strcat_array(dynamic([1, 2, 3]), '"')`, '1"2"3');
});

describe('parse_json()', () => {
  const PARSE = page('parse-json-function');
  conform('a JSON string becomes a bag; paths read into it', {
    doc: PARSE,
    query: `datatable(context_custom_metrics:string)
[
    '{"duration":{"value":118.0,"count":5.0,"min":100.0,"max":150.0,"stdDev":0.0,"sampledValue":118.0,"sum":118.0}}'
]
| extend d = parse_json(context_custom_metrics)
| extend duration_value = d.duration.value, duration_min = d.duration.min`,
    columns: ['context_custom_metrics', 'd', 'duration_value', 'duration_min'],
    rows: [
      [
        '{"duration":{"value":118.0,"count":5.0,"min":100.0,"max":150.0,"stdDev":0.0,"sampledValue":118.0,"sum":118.0}}',
        { duration: { value: 118, count: 5, min: 100, max: 150, stdDev: 0, sampledValue: 118, sum: 118 } },
        118,
        100,
      ],
    ],
  });
  conform('a let string literal with escapes', {
    doc: PARSE,
    query: `let d='{"a":123, "b":"{\\\\"c\\\\":456}"}';\nprint d`,
    rows: [['{"a":123, "b":"{\\"c\\":456}"}']],
  });
  conform('nested JSON needs tostring before the second parse_json', {
    doc: PARSE,
    query: `let d='{"a":123, "b":"{\\\\"c\\\\":456}"}';\nprint d_b_c=parse_json(tostring(parse_json(d).b)).c`,
    columns: ['d_b_c'],
    rows: [[456]],
  });
});

describe('conversions and extract()', () => {
  conform('toint of a numeric string', {
    doc: page('toint-function'),
    query: 'print toint("123") == 123\n|project Integer = print_0',
    columns: ['Integer'],
    rows: [[true]],
  });
  conform('toint truncates a decimal', {
    doc: page('toint-function'),
    query: 'print toint(2.3)\n|project Integer = print_0',
    rows: [[2]],
  });
  conform('extract with a result type', {
    doc: page('extract-function'),
    query: `let Dates = datatable(DateString: string)
[
    "15-12-2024",
    "21-07-2023",
    "10-03-2022"
];
Dates
| extend Month = extract(@"-(\\d{2})-", 1, DateString, typeof(int))
| project DateString, Month`,
    columns: ['DateString', 'Month'],
    rows: [
      ['15-12-2024', 12],
      ['21-07-2023', 7],
      ['10-03-2022', 3],
    ],
  });
  conform('extract a capture group', {
    doc: page('extract-function'),
    query:
      'let Text = "User: JohnDoe, Email: johndoe@example.com, Age: 29";\nprint UserName = extract("User: ([^,]+)", 1, Text)',
    rows: [['JohnDoe']],
  });
  conform('pack_array of numbers', {
    doc: page('pack-array-function'),
    query:
      'range x from 1 to 3 step 1\n| extend y = x * 2\n| extend z = y * 2\n| project pack_array(x, y, z)',
    columns: ['Column1'],
    rows: [[[1, 2, 4]], [[2, 4, 8]], [[3, 6, 12]]],
  });
  conform('pack_array of mixed types: timespans pack as their text', {
    doc: page('pack-array-function'),
    query:
      'range x from 1 to 3 step 1\n| extend y = tostring(x * 2)\n| extend z = (x * 2) * 1s\n| project pack_array(x, y, z)',
    rows: [[[1, '2', '00:00:02']], [[2, '4', '00:00:04']], [[3, '6', '00:00:06']]],
  });
});

describe('ipv4_is_in_any_range()', () => {
  const ANY = page('ipv4-is-in-any-range-function');
  scalar(ANY, "ipv4_is_in_any_range('192.168.1.6', '192.168.1.1/24', '10.0.0.1/8', '127.1.0.1/16')", true);
  scalar(ANY, 'ipv4_is_in_any_range("127.0.0.1", dynamic(["127.0.0.1", "192.168.1.1"]))', true);
  conform('over a table with a let dynamic list of networks', {
    doc: ANY,
    query: `let LocalNetworks=dynamic([
    "192.168.1.1/16",
    "127.0.0.1/8",
    "10.0.0.1/8"
]);
let IPs=datatable(IP:string) [
    "10.1.2.3",
    "192.168.1.5",
    "123.1.11.21",
    "1.1.1.1"
];
IPs
| extend IsLocal=ipv4_is_in_any_range(IP, LocalNetworks)`,
    columns: ['IP', 'IsLocal'],
    rows: [
      ['10.1.2.3', true],
      ['192.168.1.5', true],
      ['123.1.11.21', false],
      ['1.1.1.1', false],
    ],
  });
});

describe('string functions', () => {
  scalar(page('substring-function'), 'substring("123456", 1)', '23456');
  scalar(page('substring-function'), 'substring("123456", 2, 2)', '34');
  scalar(page('substring-function'), 'substring("ABCD", 0, 2)', 'AB');
  scalar(page('substring-function'), 'substring("123456", -2, 2)', '56');
  scalar(page('strcat-function'), 'strcat("hello", " ", "world")', 'hello world');
  scalar(page('strcat-function'), 'strcat("Line 1\\n", "Line 2\\n", "Line 3")', 'Line 1\nLine 2\nLine 3');
});

describe('isnull()', () => {
  const ISNULL = page('isnull-function');
  scalar(ISNULL, 'isnull("")', false);
  scalar(ISNULL, 'isnull("x")', false);
  scalar(ISNULL, 'isnull(parse_json(""))', true);
  scalar(ISNULL, 'isnull(parse_json("[]"))', false);
  scalar(ISNULL, 'isnull(parse_json("{}"))', false);
});
