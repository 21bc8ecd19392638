/** Aggregation functions and summarize: documented examples with their documented results. */
import { describe } from 'vitest';
import { conform } from './conform.js';

const page = (name: string) => `https://learn.microsoft.com/kusto/query/${name}`;
const SUMMARIZE = page('summarize-operator');

describe('arg_max()', () => {
  conform('null handling: null versions are ignored; an all-null group still returns a row', {
    doc: page('arg-max-aggregation-function'),
    query: `datatable(Fruit: string, Color: string, Version: int) [
    "Apple", "Red", 1,
    "Apple", "Green", int(null),
    "Banana", "Yellow", int(null),
    "Banana", "Green", int(null),
    "Pear", "Brown", 1,
    "Pear", "Green", 2,
]
| summarize arg_max(Version, *) by Fruit`,
    columns: ['Fruit', 'Version', 'Color'],
    rows: [
      ['Apple', 1, 'Red'],
      ['Banana', null, 'Yellow'],
      ['Pear', 2, 'Green'],
    ],
  });
});

describe('summarize: default values over an empty input', () => {
  // The documented example also computes buildschema, hll, stdev, tdigest and variance, which the engine does not
  // implement; the columns below are the documented results of the aggregates it does.
  conform('take_any, arg_max, arg_min, avg, max, min, percentile, sum', {
    doc: SUMMARIZE,
    query: `datatable(x:long)[]
| summarize any_x=take_any(x), arg_max_x=arg_max(x, *), arg_min_x=arg_min(x, *), avg(x), max(x), min(x), percentile(x, 55), sum(x)`,
    columns: ['any_x', 'arg_max_x', 'arg_min_x', 'avg_x', 'max_x', 'min_x', 'percentile_x_55', 'sum_x'],
    rows: [[null, null, null, Number.NaN, null, null, null, 0]],
  });
  // The documented example also has count(x), which the parser this engine is built on rejects (count() takes no
  // argument there); the other three columns are the documented results.
  conform('countif, dcount, dcountif', {
    doc: SUMMARIZE,
    query: 'datatable(x:long)[]\n| summarize countif(x > 0) , dcount(x), dcountif(x, x > 0)',
    columns: ['countif_', 'dcount_x', 'dcountif_x'],
    rows: [[0, 0, 0]],
  });
  conform('make_set, make_list', {
    doc: SUMMARIZE,
    query: 'datatable(x:long)[]\n| summarize  make_set(x), make_list(x)',
    columns: ['set_x', 'list_x'],
    rows: [[[], []]],
  });
});

describe('summarize: nulls', () => {
  conform('sum and avg ignore nulls', {
    doc: SUMMARIZE,
    query:
      'range x from 1 to 4 step 1\n| extend y = iff(x == 1, real(null), real(5))\n| summarize sum(y), avg(y)',
    columns: ['sum_y', 'avg_y'],
    rows: [[15, 5]],
  });
  conform('make_set ignores nulls; a repeated aggregate gets a suffixed name', {
    doc: SUMMARIZE,
    query:
      'range x from 1 to 2 step 1\n| extend y = iff(x == 1, real(null), real(5))\n| summarize make_set(y), make_set(y)',
    columns: ['set_y', 'set_y1'],
    rows: [[[5], [5]]],
  });
});
