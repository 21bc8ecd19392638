/** join flavours: documented examples over the docs' X and Y tables. */
import { describe } from 'vitest';
import { conform } from './conform.js';

const X = `let X = datatable(Key:string, Value1:long)
[
    'a',1,
    'b',2,
    'b',3,
    'c',4
];`;
const Y = `let Y = datatable(Key:string, Value2:long)
[
    'b',10,
    'c',20,
    'c',30,
    'd',40
];`;

describe('join (documented examples)', () => {
  conform('default join is innerunique: one left row per key', {
    doc: 'https://learn.microsoft.com/kusto/query/join-innerunique',
    query: `${X}\n${Y}\nX | join Y on Key`,
    columns: ['Key', 'Value1', 'Key1', 'Value2'],
    rows: [
      ['b', 2, 'b', 10],
      ['c', 4, 'c', 20],
      ['c', 4, 'c', 30],
    ],
  });

  conform('kind=inner keeps every left duplicate', {
    doc: 'https://learn.microsoft.com/kusto/query/join-inner',
    query: `let X = datatable(Key:string, Value1:long)['a',1,'b',2,'b',3,'k',5,'c',4];
let Y = datatable(Key:string, Value2:long)['b',10,'c',20,'c',30,'d',40,'k',50];
X | join kind=inner Y on Key`,
    columns: ['Key', 'Value1', 'Key1', 'Value2'],
    rows: [
      ['b', 3, 'b', 10],
      ['b', 2, 'b', 10],
      ['c', 4, 'c', 20],
      ['c', 4, 'c', 30],
      ['k', 5, 'k', 50],
    ],
  });

  conform('kind=leftouter keeps unmatched left rows with empty right columns', {
    doc: 'https://learn.microsoft.com/kusto/query/join-leftouter',
    query: `${X}\n${Y}\nX | join kind=leftouter Y on Key`,
    columns: ['Key', 'Value1', 'Key1', 'Value2'],
    rows: [
      ['a', 1, '', null],
      ['b', 2, 'b', 10],
      ['b', 3, 'b', 10],
      ['c', 4, 'c', 20],
      ['c', 4, 'c', 30],
    ],
  });

  conform('kind=leftanti returns left rows without a match', {
    doc: 'https://learn.microsoft.com/kusto/query/join-leftanti',
    query: `${X}\n${Y}\nX | join kind=leftanti Y on Key`,
    columns: ['Key', 'Value1'],
    rows: [['a', 1]],
  });
});
