/**
 * The Functions app entry (`main` in package.json). Registration only: handlers live beside it and the
 * core in pipeline/. Only `app` is imported as a value from @azure/functions: its classes are not
 * visible to native Node ESM (research feasibility §4).
 */
import { app } from '@azure/functions';
import { lazyRuntime, runtimeFromEnv } from './deps.js';
import { makeFlushHandler, makeIngestHandler, makeRedriveHandler } from './ingest.js';
// The playbook HTTP functions (notify-teams, create-ticket, auto-close, reassign-ot) register themselves.
import './playbooks.js';

const runtime = lazyRuntime(() => runtimeFromEnv(process.env));

app.eventHub('ingest', {
  connection: 'OTSOC_EVENTHUB',
  eventHubName: '%OTSOC_EVENTHUB_NAME%',
  consumerGroup: '%OTSOC_CONSUMER_GROUP%',
  cardinality: 'many',
  handler: makeIngestHandler(runtime),
});

app.timer('flush', {
  schedule: '0 */1 * * * *',
  handler: makeFlushHandler(runtime),
});

app.timer('redrive', {
  schedule: '30 */5 * * * *',
  handler: makeRedriveHandler(runtime),
});
