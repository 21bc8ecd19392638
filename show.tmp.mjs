import {readFileSync, readdirSync} from 'node:fs';
import {parse} from 'yaml';
const dir = process.argv[2];
for (const f of readdirSync(dir).sort()) {
  const r = parse(readFileSync(dir+'/'+f,'utf8'));
  console.log(`=== ${f} [${r.kind} ${r.queryFrequency}/${r.queryPeriod} sev=${r.severity}] tactics=${r.tactics} tech=${r.relevantTechniques}`);
  console.log(`   grouping=${JSON.stringify(r.incidentConfiguration?.groupingConfiguration?.groupByCustomDetails)} agg=${r.eventGroupingSettings?.aggregationKind} ents=${(r.entityMappings||[]).map(e=>e.entityType+':'+e.fieldMappings.map(m=>m.columnName).join('+')).join(',')}`);
  if (process.argv[3]) console.log(r.query.split('| extend SourceHost')[0]);
}
