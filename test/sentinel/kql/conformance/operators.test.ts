/** Tabular operators: documented examples with their documented results. */
import { describe } from 'vitest';
import { conform } from './conform.js';

const MV = 'https://learn.microsoft.com/kusto/query/mv-expand-operator';

describe('mv-expand', () => {
  conform('single column, array expansion', {
    doc: MV,
    query: `datatable (a: int, b: dynamic)
[
    1, dynamic([10, 20]),
    2, dynamic(['a', 'b'])
]
| mv-expand b`,
    columns: ['a', 'b'],
    rows: [
      [1, 10],
      [1, 20],
      [2, 'a'],
      [2, 'b'],
    ],
  });
  conform('single column, bag expansion', {
    doc: MV,
    query: `datatable (a: int, b: dynamic)
[
    1, dynamic({"prop1": "a1", "prop2": "b1"}),
    2, dynamic({"prop1": "a2", "prop2": "b2"})
]
| mv-expand b`,
    rows: [
      [1, { prop1: 'a1' }],
      [1, { prop2: 'b1' }],
      [2, { prop1: 'a2' }],
      [2, { prop2: 'b2' }],
    ],
  });
  conform('bag expansion to key-value pairs', {
    doc: MV,
    query: `datatable (a: int, b: dynamic)
[
    1, dynamic({"prop1": "a1", "prop2": "b1"}),
    2, dynamic({"prop1": "a2", "prop2": "b2"})
]
| mv-expand kind=array b
| extend key = b[0], val=b[1]`,
    columns: ['a', 'b', 'key', 'val'],
    rows: [
      [1, ['prop1', 'a1'], 'prop1', 'a1'],
      [1, ['prop2', 'b1'], 'prop2', 'b1'],
      [2, ['prop1', 'a2'], 'prop1', 'a2'],
      [2, ['prop2', 'b2'], 'prop2', 'b2'],
    ],
  });
  conform('two columns are zipped, the shorter padded with null', {
    doc: MV,
    query: `datatable (a: int, b: dynamic, c: dynamic)[
    1, dynamic({"prop1": "a", "prop2": "b"}), dynamic([5, 4, 3])
]
| mv-expand b, c`,
    columns: ['a', 'b', 'c'],
    rows: [
      [1, { prop1: 'a' }, 5],
      [1, { prop2: 'b' }, 4],
      [1, null, 3],
    ],
  });
  conform('cartesian product by expanding one after the other', {
    doc: MV,
    query: `datatable (a: int, b: dynamic, c: dynamic)
[
    1, dynamic({"prop1": "a", "prop2": "b"}), dynamic([5, 6])
]
| mv-expand b
| mv-expand c`,
    rows: [
      [1, { prop1: 'a' }, 5],
      [1, { prop1: 'a' }, 6],
      [1, { prop2: 'b' }, 5],
      [1, { prop2: 'b' }, 6],
    ],
  });
});

describe('lookup', () => {
  conform('leftouter lookup on two keys: the keys appear once', {
    doc: 'https://learn.microsoft.com/kusto/query/lookup-operator',
    query: `let FactTable=datatable(Row:string,Personal:string,Family:string) [
  "1", "Bill",   "Gates",
  "2", "Bill",   "Clinton",
  "3", "Bill",   "Clinton",
  "4", "Steve",  "Ballmer",
  "5", "Tim",    "Cook"
];
let DimTable=datatable(Personal:string,Family:string,Alias:string) [
  "Bill",  "Gates",   "billg",
  "Bill",  "Clinton", "billc",
  "Steve", "Ballmer", "steveb",
  "Tim",   "Cook",    "timc"
];
FactTable
| lookup kind=leftouter DimTable on Personal, Family`,
    columns: ['Row', 'Personal', 'Family', 'Alias'],
    rows: [
      ['1', 'Bill', 'Gates', 'billg'],
      ['2', 'Bill', 'Clinton', 'billc'],
      ['3', 'Bill', 'Clinton', 'billc'],
      ['4', 'Steve', 'Ballmer', 'steveb'],
      ['5', 'Tim', 'Cook', 'timc'],
    ],
  });
});
