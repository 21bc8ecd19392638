/**
 * The Functions app entry (`main` in package.json). Registration only: handlers live beside it and the
 * core in pipeline/. Only `app` is imported as a value from @azure/functions: its classes are not
 * visible to native Node ESM (research feasibility §4).
 */
import { app } from '@azure/functions';
import { depsFromEnv, lazyDeps } from './deps.js';
import { makeIngestHandler } from './ingest.js';

app.eventHub('ingest', {
  connection: 'OTSOC_EVENTHUB',
  eventHubName: '%OTSOC_EVENTHUB_NAME%',
  consumerGroup: '%OTSOC_CONSUMER_GROUP%',
  cardinality: 'many',
  handler: makeIngestHandler(lazyDeps(() => depsFromEnv(process.env))),
});
