// The producer both publishers build from a connection string: the forwarder and `send` (cli/forward/eventHubs.ts)
// and the relay Function (functions/relay.ts).
import { type EventHubClientOptions, EventHubProducerClient } from '@azure/event-hubs';

/** Whether an Event Hubs connection string names its hub (`EntityPath=`). */
export const namesItsHub = (connectionString: string): boolean =>
  /(^|;)\s*EntityPath=/i.test(connectionString);

/**
 * A producer from a connection string: one that names its hub is taken as is (the SDK refuses a second, different
 * name), else it publishes to `hub`.
 */
export function producerFromConnectionString(
  connectionString: string,
  hub: string | undefined,
  options: EventHubClientOptions,
): EventHubProducerClient {
  return namesItsHub(connectionString)
    ? new EventHubProducerClient(connectionString, options)
    : new EventHubProducerClient(connectionString, hub!, options);
}
