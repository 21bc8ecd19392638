/**
 * Sensor REST `GET /api/v1/alerts` objects, the on-prem management console `/external/v1/alerts` objects and the
 * extended webhook payload (docs/contracts.md#sensor-forwarding-formats). Keys are read case-insensitively: the
 * doc's own example mixes `ID`/`id` and `additionalInformation`/`additionalinformation`, and the console writes
 * `sensorId` where the webhook doc says `sensorID`.
 *   v1: ID, time (epoch ms), title, message, severity (Warning/Minor/Major/Critical), engine,
 *       sourceDevice/destinationDevice (numeric ids, nullable; 0 = none in the console), additionalInformation
 *   v2: + sourceDeviceAddress/destinationDeviceAddress (IP or MAC), remediationSteps[]
 *   console/webhook: + handled, sensorID/sensorName, zoneID/zoneName, siteID/siteName, UUID
 * Any sensor/zone/site field makes it a Webhook record; otherwise it is SensorApi.
 * additionalInformation has no slot in the model and is left out.
 */
import type { Device } from '../model/alert.js';
import {
  assignAddress,
  type Draft,
  deviceIdOf,
  fail,
  messageText,
  type ParseOptions,
  quote,
  resolveTimes,
  stepsOf,
  text,
} from './fields/index.js';
import { toEngine, toSeverity, toStatus } from './severity.js';

/** The fields that tell a sensor API alert from any other JSON object. */
export function isSensorApiRecord(keys: Map<string, unknown>): boolean {
  return (
    keys.has('title') && (keys.has('engine') || keys.has('severity')) && (keys.has('time') || keys.has('id'))
  );
}

const WEBHOOK_KEYS = ['sensorid', 'sensorname', 'zoneid', 'zonename', 'siteid', 'sitename'];

function device(keys: Map<string, unknown>, side: 'source' | 'destination'): Device {
  const d: Device = {};
  const id = deviceIdOf(keys.get(`${side}device`) ?? keys.get(`${side}deviceid`));
  if (id !== undefined) d.deviceId = id;
  assignAddress(d, keys.get(`${side}deviceaddress`));
  assignAddress(d, keys.get(`${side}deviceip`));
  assignAddress(d, keys.get(`${side}devicemac`));
  const name = text(keys.get(`${side}devicename`));
  if (name !== undefined) d.name = name;
  return d;
}

function isTrue(v: unknown): boolean {
  return v === true || (typeof v === 'string' && v.trim().toLowerCase() === 'true');
}

export function parseSensorApi(keys: Map<string, unknown>, opts?: ParseOptions): Draft {
  const webhook = WEBHOOK_KEYS.some((k) => keys.has(k));
  const title = text(keys.get('title'), 100_000);
  if (title === undefined) return fail('missing title');
  const sev = keys.get('severity');
  const severity = toSeverity(sev);
  if (severity === undefined) {
    return fail(
      sev === undefined || sev === null ? 'missing severity' : `severity: unknown value ${quote(sev)}`,
    );
  }
  const times = resolveTimes(
    [keys.get('time'), keys.get('starttime'), keys.get('timestamp')],
    [keys.get('lastdetectiontime'), keys.get('endtime')],
    opts,
  );
  if ('reason' in times) return fail(times.reason);

  // The webhook's UUID (`<sensor>-<epoch>`) is unique across sensors; the numeric ID only within one sensor.
  const uuid = text(keys.get('uuid'));
  const numericId = text(keys.get('id'));
  const handled = keys.get('handled');
  const status = isTrue(handled) ? 'Closed' : toStatus(keys.get('status'));
  const sensorId = keys.get('sensorid');

  return {
    ok: true,
    alert: {
      id: webhook ? (uuid ?? numericId) : (numericId ?? uuid),
      title,
      message: messageText(keys.get('message')),
      engine: toEngine(keys.get('engine')),
      category: text(keys.get('category') ?? keys.get('alertgroup')),
      severity,
      status,
      protocol: text(keys.get('protocol')),
      source: device(keys, 'source'),
      destination: device(keys, 'destination'),
      sensor: text(keys.get('sensorname')) ?? (sensorId === undefined ? undefined : text(sensorId)),
      site: text(keys.get('sitename')),
      zone: text(keys.get('zonename')),
      firstSeen: times.firstSeen,
      lastSeen: times.lastSeen,
      remediation: stepsOf(keys.get('remediationsteps')),
      sourceFormat: webhook ? 'Webhook' : 'SensorApi',
    },
  };
}
