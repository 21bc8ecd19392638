// What `ot-soc send` and `ot-soc forward` say about a bad Event Hubs connection string, before any network use:
// the actual problem, the variable's name, never the value (a secret).
import { describe, expect, it } from 'vitest';
import { ConnectionError, createProducer } from '../../../cli/forward/eventHubs.js';

const VALID =
  'Endpoint=sb://plant-ns.servicebus.windows.net/;SharedAccessKeyName=send;SharedAccessKey=c2VjcmV0';

const attempt = (value: string | undefined, hub?: string) => () =>
  createProducer(
    { connectionStringEnv: 'HUB_CS', ...(hub ? { hub } : {}) },
    value === undefined ? {} : { HUB_CS: value },
  );

describe('Event Hubs connection string errors', () => {
  it('a value that is no connection string says so, naming the variable and not the value', () => {
    expect(attempt('garbage-secret')).toThrow(ConnectionError);
    expect(attempt('garbage-secret')).toThrow(/HUB_CS does not hold an Event Hubs connection string/);
    expect(attempt('garbage-secret')).not.toThrow(/garbage-secret/);
    expect(attempt('garbage-secret', 'alerts')).toThrow(/does not hold an Event Hubs connection string/);
  });

  it('a missing variable, and a string without EntityPath and no --hub, each get their own message', () => {
    expect(attempt(undefined)).toThrow(/HUB_CS is not set or empty/);
    expect(attempt(VALID)).toThrow(/no EntityPath: give the hub with --hub/);
  });

  it('a valid string with --hub, or with EntityPath, makes a producer', async () => {
    for (const make of [attempt(VALID, 'alerts'), attempt(`${VALID};EntityPath=alerts`)]) {
      const producer = make();
      expect(producer.eventHubName).toBe('alerts');
      await producer.close();
    }
  });
});
