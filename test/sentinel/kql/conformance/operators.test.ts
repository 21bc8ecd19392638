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

describe('sort: nulls and NaN placement', () => {
  const SORT = 'https://learn.microsoft.com/kusto/query/sort-operator';
  const T = 'datatable(x:real)[5, real(null), -5, real(+inf), 0, real(nan), real(-inf)]';
  // The documented table of orders, with its values (the page lists them without 5 in one cell; all values here).
  conform('asc nulls first', {
    doc: SORT,
    query: `${T} | sort by x asc nulls first`,
    ordered: true,
    rows: [[null], [Number.NaN], [Number.NEGATIVE_INFINITY], [-5], [0], [5], [Number.POSITIVE_INFINITY]],
  });
  conform('desc nulls first', {
    doc: SORT,
    query: `${T} | sort by x desc nulls first`,
    ordered: true,
    rows: [[null], [Number.NaN], [Number.POSITIVE_INFINITY], [5], [0], [-5], [Number.NEGATIVE_INFINITY]],
  });
  conform('asc nulls last', {
    doc: SORT,
    query: `${T} | sort by x asc nulls last`,
    ordered: true,
    rows: [[Number.NEGATIVE_INFINITY], [-5], [0], [5], [Number.POSITIVE_INFINITY], [Number.NaN], [null]],
  });
  conform('desc nulls last (the default for desc)', {
    doc: SORT,
    query: `${T} | sort by x desc`,
    ordered: true,
    rows: [[Number.POSITIVE_INFINITY], [5], [0], [-5], [Number.NEGATIVE_INFINITY], [Number.NaN], [null]],
  });
});

describe('project-rename', () => {
  conform('renames keep the column order', {
    doc: 'https://learn.microsoft.com/kusto/query/project-rename-operator',
    query: "print a='a', b='b', c='c'\n|  project-rename new_b=b, new_a=a",
    columns: ['new_a', 'new_b', 'c'],
    rows: [['a', 'b', 'c']],
  });
});

describe('toscalar', () => {
  const TOSCALAR = 'https://learn.microsoft.com/kusto/query/toscalar-function';
  conform('scalar constants from tabular expressions drive range', {
    doc: TOSCALAR,
    query: `let Start = toscalar(print x=1);
let End = toscalar(range x from 1 to 9 step 1 | count);
let Step = toscalar(2);
range z from Start to End step Step | extend start=Start, end=End, step=Step`,
    columns: ['z', 'start', 'end', 'step'],
    ordered: true,
    rows: [
      [1, 1, 9, 2],
      [3, 1, 9, 2],
      [5, 1, 9, 2],
      [7, 1, 9, 2],
      [9, 1, 9, 2],
    ],
  });
  conform('the join mitigation', {
    doc: TOSCALAR,
    query: `let _dataset1 = datatable(x: long)[1, 2, 3, 4, 5];
let _dataset2 = datatable(x: long, y: long) [1, 2, 3, 4, 5, 6];
_dataset1
| join (_dataset2) on x
| project x, y`,
    columns: ['x', 'y'],
    rows: [
      [1, 2],
      [3, 4],
      [5, 6],
    ],
  });
});

describe('let and datatable', () => {
  conform("let binds a ['bracketed name']", {
    doc: 'https://learn.microsoft.com/kusto/query/let-statement',
    query: "let ['some number'] = 20;\nrange y from 0 to ['some number'] step 5",
    columns: ['y'],
    ordered: true,
    rows: [[0], [5], [10], [15], [20]],
  });
  conform('datatable with a trailing comma, where and a dynamic path', {
    doc: 'https://learn.microsoft.com/kusto/query/datatable-operator',
    query: `datatable(Date:datetime, Event:string, MoreData:dynamic) [
    datetime(1910-06-11), "Born", dynamic({"key1":"value1", "key2":"value2"}),
    datetime(1930-01-01), "Enters Ecole Navale", dynamic({"key1":"value3", "key2":"value4"}),
    datetime(1953-01-01), "Published first book", dynamic({"key1":"value5", "key2":"value6"}),
    datetime(1997-06-25), "Died", dynamic({"key1":"value7", "key2":"value8"}),
]
| where strlen(Event) > 4
| extend key2 = MoreData.key2`,
    columns: ['Date', 'Event', 'MoreData', 'key2'],
    rows: [
      ['1930-01-01T00:00:00.000Z', 'Enters Ecole Navale', { key1: 'value3', key2: 'value4' }, 'value4'],
      ['1953-01-01T00:00:00.000Z', 'Published first book', { key1: 'value5', key2: 'value6' }, 'value6'],
    ],
  });
});
