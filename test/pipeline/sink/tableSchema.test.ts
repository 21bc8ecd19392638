import { describe, expect, it } from 'vitest';
import { validatorColumns } from '../../../pipeline/sink/rowValidator.js';
import { type Column, OTALERTS_COLUMNS, STREAM_NAME, TABLE_NAME } from '../../../pipeline/sink/schema.js';
import {
  checkColumnRules,
  customTableSchema,
  fromTablesApiType,
  kqlTableSchema,
  parseKqlTableSchema,
  streamDeclaration,
} from '../../../pipeline/sink/tableSchema.js';

const source = OTALERTS_COLUMNS.map((c) => ({ name: c.name, type: c.type as string }));

describe('OTAlerts_CL generators', () => {
  it('stream declaration, custom table, KQL schema and validator list the same columns and types', () => {
    const stream = streamDeclaration()[STREAM_NAME]?.columns.map((c) => ({
      name: c.name,
      type: c.type as string,
    }));
    const table = customTableSchema().properties.schema.columns.map((c) => ({
      name: c.name,
      type: fromTablesApiType(c.type) as string,
    }));
    const kql = parseKqlTableSchema(kqlTableSchema());
    const validator = validatorColumns().map((c) => ({ name: c.name, type: c.type as string }));
    expect(stream).toEqual(source);
    expect(table).toEqual(source);
    expect(kql).toEqual(source);
    expect(validator).toEqual(source);
  });

  it('names the stream and table as the DCR and Tables API expect', () => {
    expect(Object.keys(streamDeclaration())).toEqual(['Custom-OTAlerts_CL']);
    const body = customTableSchema();
    expect(body.properties.schema.name).toBe(TABLE_NAME);
    expect(TABLE_NAME.endsWith('_CL')).toBe(true);
    expect(STREAM_NAME).toBe(`Custom-${TABLE_NAME}`);
  });

  it('spells dateTime for the Tables API and datetime for the stream and KQL, and includes TimeGenerated', () => {
    const table = customTableSchema().properties.schema.columns;
    expect(table[0]).toMatchObject({ name: 'TimeGenerated', type: 'dateTime' });
    expect(table.every((c) => c.type !== ('datetime' as string))).toBe(true);
    expect(table.every((c) => typeof c.description === 'string' && c.description.length > 0)).toBe(true);
    expect(streamDeclaration()[STREAM_NAME]?.columns[0]).toEqual({ name: 'TimeGenerated', type: 'datetime' });
    expect(kqlTableSchema().startsWith('(TimeGenerated:datetime, AlertId:string, Revision:int,')).toBe(true);
    expect(kqlTableSchema().endsWith(')')).toBe(true);
  });

  it('the OTAlerts_CL columns pass every Log Analytics column rule', () => {
    expect(checkColumnRules()).toEqual([]);
  });

  it('reports each kind of rule violation', () => {
    const col = (name: string, type: Column['type'] = 'string'): Column => ({ name, type, description: '' });
    const bad: Column[] = [
      col('AlertId'),
      col('Type'),
      col('tenantid'),
      col('_ResourceId'),
      col('9Lives'),
      col('Has-Dash'),
      col('Ünicode'),
      col('X'),
      col('A'.repeat(46)),
      col('alertid'),
      { name: 'Weird', type: 'guid' as Column['type'], description: '' },
    ];
    const violations = checkColumnRules(bad);
    const expectOne = (pattern: RegExp) => expect(violations.filter((v) => pattern.test(v))).toHaveLength(1);
    expectOne(/^Type: reserved/);
    expectOne(/^tenantid: reserved/);
    expectOne(/^_ResourceId: reserved/);
    expectOne(/^_ResourceId: must start with a letter/);
    expectOne(/^9Lives: must start with a letter/);
    expectOne(/^Has-Dash: must start/);
    expectOne(/^Ünicode: must start/);
    expectOne(/^X: length 1/);
    expectOne(/^A{46}: length 46/);
    expectOne(/^alertid: duplicate/);
    expectOne(/^Weird: type 'guid'/);
    expectOne(/^TimeGenerated: missing/);

    const many = Array.from({ length: 501 }, (_, i) =>
      col(i === 0 ? 'TimeGenerated' : `C${i}`, i === 0 ? 'datetime' : 'string'),
    );
    expect(checkColumnRules(many)).toEqual([expect.stringMatching(/501 columns.*at most 500/)]);
    expect(checkColumnRules([col('TimeGenerated', 'string')])).toEqual(['TimeGenerated: must be datetime']);
  });

  it('detects drift: a generator fed a changed column list no longer matches the source', () => {
    const drifted = OTALERTS_COLUMNS.map((c) => (c.name === 'Count' ? { ...c, type: 'int' as const } : c));
    expect(parseKqlTableSchema(kqlTableSchema(drifted))).not.toEqual(source);
    expect(streamDeclaration(drifted)[STREAM_NAME]?.columns).not.toEqual(source);
  });
});
