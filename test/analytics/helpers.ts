import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { packageRoot } from '../../analytics/content.js';
import { tempDirSync } from '../helpers/tempDirs.js';

/** The shipped definition of connector OtSoc, which BASE_RULE and BASE_HUNTING require. */
export const OTSOC_CONNECTOR = readFileSync(
  join(packageRoot(), 'analytics', 'dataConnectors', 'OtSoc.json'),
  'utf8',
);

/** A minimal valid Scheduled rule; line numbers are referred to by the tests (query starts on line 18). */
export const BASE_RULE = `id: 11111111-1111-4111-8111-111111111111
name: Test rule
description: A test rule.
severity: Medium
requiredDataConnectors:
  - connectorId: OtSoc
    dataTypes:
      - OTAlerts_CL
queryFrequency: 1h
queryPeriod: 1h
triggerOperator: gt
triggerThreshold: 0
tactics:
  - LateralMovement
relevantTechniques:
  - T0843
query: |
  OTAlerts_CL
  | summarize arg_max(Revision, *) by AlertId
  | where AlertTitle has "Program"
  | project TimeGenerated, AlertId, AlertTitle, Severity, SourceIP, DestinationIP
entityMappings:
  - entityType: IP
    fieldMappings:
      - identifier: Address
        columnName: SourceIP
customDetails:
  AlertId: AlertId
eventGroupingSettings:
  aggregationKind: AlertPerResult
version: 1.0.0
kind: Scheduled
`;

export const BASE_HUNTING = `id: 22222222-2222-4222-8222-222222222222
name: Test hunting query
description: A test hunting query.
requiredDataConnectors:
  - connectorId: OtSoc
    dataTypes:
      - OTAlerts_CL
tactics:
  - Discovery
relevantTechniques:
  - T0846
query: |
  OTAlerts_CL
  | summarize arg_max(Revision, *) by AlertId
  | summarize Groups = count() by SourceIP
version: 1.0.0
`;

/**
 * A flat content folder (rules/, hunting/, workbooks/, dataConnectors/) with the given files; the OtSoc connector
 * definition is added unless the files name a dataConnectors/ file themselves.
 */
export function contentDir(files: Record<string, string>): string {
  const dir = tempDirSync('ot-soc-content-');
  const withConnector = Object.keys(files).some((f) => f.startsWith('dataConnectors/'))
    ? files
    : { ...files, 'dataConnectors/OtSoc.json': OTSOC_CONNECTOR };
  for (const [path, text] of Object.entries(withConnector)) {
    const file = join(dir, path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
  }
  return dir;
}

/** A workbook with Site (multi-select) and TimeRange parameters and the given query items. */
export function workbookJson(queries: string[]): string {
  return `${JSON.stringify(
    {
      version: 'Notebook/1.0',
      items: [
        {
          type: 9,
          name: 'parameters',
          content: {
            version: 'KqlParameterItem/1.0',
            parameters: [
              { name: 'TimeRange', type: 4 },
              { name: 'Site', type: 2, multiSelect: true, quote: "'", delimiter: ',' },
            ],
          },
        },
        ...queries.map((query, i) => ({
          type: 3,
          name: `query ${i}`,
          content: { version: 'KqlItem/1.0', query, queryType: 0, timeContextFromParameter: 'TimeRange' },
        })),
      ],
    },
    null,
    2,
  )}\n`;
}
