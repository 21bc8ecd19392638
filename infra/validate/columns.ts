/** OTAlerts_CL: the DCR stream and the custom table against the schema in code (pipeline/sink/schema.ts). */
import { STREAM_NAME, TABLE_NAME } from '../../pipeline/sink/schema.js';
import { customTableSchema, streamDeclaration } from '../../pipeline/sink/tableSchema.js';
import { parseTemplateString } from './armExpression.js';
import { nameSegments, problem, type Scope, variableString } from './scope.js';
import { isObject, type JsonObject, jsonPath } from './templateSchema.js';

export interface NameType {
  name: string;
  type: string;
}

/** Compares declared columns with the expected ones (by name, case-sensitive; types exact). */
export function compareColumns(actual: readonly NameType[], expected: readonly NameType[]): string[] {
  const diffs: string[] = [];
  const want = new Map(expected.map((c) => [c.name, c.type]));
  const have = new Map(actual.map((c) => [c.name, c.type]));
  for (const [name, type] of want) {
    if (!have.has(name)) diffs.push(`missing column ${name} (${type})`);
    else if (have.get(name) !== type)
      diffs.push(`column ${name} is ${have.get(name)}, the schema says ${type}`);
  }
  for (const [name, type] of have)
    if (!want.has(name)) diffs.push(`column ${name} (${type}) is not in the schema`);
  if (actual.length !== have.size) diffs.push('duplicate column names');
  return diffs;
}

export function columnsOf(value: unknown, scope: Scope, path: string): NameType[] | undefined {
  let v = value;
  if (typeof v === 'string') {
    const parsed = parseTemplateString(v);
    const resolved = parsed.kind === 'expression' ? variableString(parsed.expr, scope, 0) : undefined;
    if (resolved === undefined) {
      problem(
        scope,
        path,
        'columns must be a literal array (or a variable holding one) to be checked against the schema',
      );
      return undefined;
    }
    v = resolved;
  }
  if (
    !Array.isArray(v) ||
    !v.every((c) => isObject(c) && typeof c.name === 'string' && typeof c.type === 'string')
  ) {
    problem(scope, path, 'columns must be an array of {name, type}');
    return undefined;
  }
  return v.map((c) => ({ name: (c as NameType).name, type: (c as NameType).type }));
}

export const SCHEMA_SOURCE = 'pipeline/sink/schema.ts';

export function checkSchemaResource(scope: Scope, type: string, r: JsonObject, path: string): void {
  const typeKey = type.toLowerCase();
  const props = isObject(r.properties) ? r.properties : undefined;
  const propsPath = jsonPath(path, 'properties');
  if (typeKey === 'microsoft.insights/datacollectionrules' && props) {
    const streams = isObject(props.streamDeclarations) ? props.streamDeclarations : {};
    const expected = streamDeclaration()[STREAM_NAME]!.columns;
    for (const [name, decl] of Object.entries(streams)) {
      if (name !== STREAM_NAME) continue;
      const p = jsonPath(jsonPath(jsonPath(propsPath, 'streamDeclarations'), name), 'columns');
      const cols = columnsOf(isObject(decl) ? decl.columns : undefined, scope, p);
      if (cols) {
        for (const d of compareColumns(cols, expected))
          problem(scope, p, `${STREAM_NAME} differs from ${SCHEMA_SOURCE}: ${d}`);
      }
    }
    const destinations = new Set<string>();
    if (isObject(props.destinations)) {
      for (const list of Object.values(props.destinations)) {
        if (Array.isArray(list))
          for (const d of list) if (isObject(d) && typeof d.name === 'string') destinations.add(d.name);
      }
    }
    const flows = Array.isArray(props.dataFlows) ? props.dataFlows : [];
    flows.forEach((flow, i) => {
      if (!isObject(flow)) return;
      const fp = jsonPath(jsonPath(propsPath, 'dataFlows'), i);
      for (const s of Array.isArray(flow.streams) ? flow.streams : []) {
        if (typeof s === 'string' && !s.startsWith('Microsoft-') && !(s in streams)) {
          problem(scope, jsonPath(fp, 'streams'), `stream ${s} is not declared in streamDeclarations`);
        }
      }
      for (const d of Array.isArray(flow.destinations) ? flow.destinations : []) {
        if (typeof d === 'string' && !destinations.has(d))
          problem(scope, jsonPath(fp, 'destinations'), `destination ${d} is not declared`);
      }
    });
    if (r.kind !== 'Direct' && props.dataCollectionEndpointId === undefined && STREAM_NAME in streams) {
      problem(
        scope,
        path,
        "a DCR for the Logs Ingestion API needs kind 'Direct' (its own endpoint) or a dataCollectionEndpointId",
      );
    }
  }
  if (typeKey === 'microsoft.operationalinsights/workspaces/tables' && props) {
    const schema = isObject(props.schema) ? props.schema : undefined;
    const segs = typeof r.name === 'string' ? nameSegments(r.name, scope) : [];
    const last = segs[segs.length - 1];
    const isOurs = schema?.name === TABLE_NAME || last?.literal === TABLE_NAME;
    if (isOurs) {
      if (schema?.name !== TABLE_NAME)
        problem(scope, jsonPath(propsPath, 'schema'), `schema.name must be ${TABLE_NAME}`);
      const p = jsonPath(jsonPath(propsPath, 'schema'), 'columns');
      const cols = columnsOf(schema?.columns, scope, p);
      if (cols) {
        const expected = customTableSchema().properties.schema.columns;
        for (const d of compareColumns(cols, expected))
          problem(scope, p, `${TABLE_NAME} differs from ${SCHEMA_SOURCE}: ${d}`);
      }
    }
  }
}
