/**
 * Benchmark inputs: real-shaped records in the four formats Event Hubs carries most (Sentinel SecurityAlert rows
 * from Log Analytics data export, syslog CEF and LEEF from on-premises sensors, the sensor's extended webhook),
 * shaped like test/fixtures/formats, generated deterministically from an ordinal, a group index and a time.
 * Sensors and device addresses are those of samples/ot-soc.config.json and samples/inventory.csv, so the
 * enricher does its real lookups (sensor placement, inventory hits and misses, site calendars, escalation).
 */

export const FORMATS = ['SecurityAlert', 'CEF', 'LEEF', 'SensorApi'] as const;
export type BenchFormat = (typeof FORMATS)[number];

export const FORMAT_LABEL: Record<BenchFormat, string> = {
  SecurityAlert: 'SecurityAlert JSON (export row)',
  CEF: 'CEF (RFC 3164 syslog)',
  LEEF: 'LEEF 1.0 (syslog)',
  SensorApi: 'sensor API (extended webhook JSON)',
};

/** JSON formats arrive as JSON text; the Functions host JSON-parses a body before the handler sees it. */
export const JSON_FORMATS: ReadonlySet<BenchFormat> = new Set(['SecurityAlert', 'SensorApi']);

/** Start of the generated day (the demo's 2026-11-18, 08:00 UTC). */
export const T0 = Date.UTC(2026, 10, 18, 8, 0, 0);

interface Title {
  title: string;
  engine: string;
  sensorSeverity: 'Critical' | 'Major' | 'Minor' | 'Warning';
  category: string;
  protocol: string;
  type: string;
}

/** Titles from the Defender for IoT alert catalog (the enricher maps them to ATT&CK for ICS). */
const TITLES: readonly Title[] = [
  t(
    'Unauthorized PLC Programming',
    'POLICY_VIOLATION',
    'Critical',
    'Programming',
    'S7',
    'UnauthorizedPLCProgramming',
  ),
  t(
    'Excessive Number of Sessions',
    'ANOMALY',
    'Critical',
    'Abnormal Communication Behavior',
    'CIP',
    'ExcessiveSessions',
  ),
  t(
    'Illegal MODBUS Operation (Function Code Zero)',
    'PROTOCOL_VIOLATION',
    'Minor',
    'Illegal Commands',
    'MODBUS',
    'IllegalModbus',
  ),
  t('Address Scan Detected', 'ANOMALY', 'Critical', 'Scan', 'ICMP', 'AddressScan'),
  t('Firmware Version Changed', 'POLICY_VIOLATION', 'Major', 'Firmware Change', 'S7', 'FirmwareChanged'),
  t('An S7 Stop PLC Command was Sent', 'OPERATIONAL', 'Minor', 'Restart/Stop Commands', 'S7', 'S7Stop'),
  t('Internet Access Detected', 'POLICY_VIOLATION', 'Major', 'Internet Access', 'HTTP', 'InternetAccess'),
  t('Abnormal Traffic Bandwidth', 'ANOMALY', 'Warning', 'Bandwidth Anomalies', 'TCP', 'AbnormalBandwidth'),
  t(
    'Malicious Domain Name Request',
    'MALWARE',
    'Critical',
    'Suspicion of Malicious Activity',
    'DNS',
    'MaliciousDomain',
  ),
  t(
    'Function Code Raised Unauthorized Exception',
    'POLICY_VIOLATION',
    'Major',
    'Command Failures',
    'MODBUS',
    'UnauthorizedException',
  ),
];

function t(
  title: string,
  engine: string,
  sensorSeverity: Title['sensorSeverity'],
  category: string,
  protocol: string,
  type: string,
): Title {
  return { title, engine, sensorSeverity, category, protocol, type };
}

interface Sensor {
  name: string;
  site: string;
  zone: string;
  net: string;
  /** Known devices of that zone (inventory addresses): the first are sources, the rest destinations. */
  devices: readonly string[];
}

const SENSORS: readonly Sensor[] = [
  s('rtm-pkg-sensor-01', 'Rotterdam', 'Packaging', '10.10', [
    '10.10.1.10',
    '10.10.1.66',
    '10.10.2.21',
    '10.10.2.30',
    '10.10.2.40',
  ]),
  s('rtm-pkg-sensor-02', 'Rotterdam', 'Packaging', '10.10', [
    '10.10.1.66',
    '10.10.0.5',
    '10.10.2.50',
    '10.10.2.21',
    '10.10.2.30',
  ]),
  s('rtm-utl-sensor-01', 'Rotterdam', 'Utilities', '10.10', [
    '10.10.0.1',
    '10.10.0.5',
    '10.10.3.21',
    '10.10.3.22',
    '10.10.3.23',
  ]),
  s('lyn-brw-sensor-01', 'Lyon', 'Brewhouse', '10.20', [
    '10.20.1.10',
    '10.20.0.10',
    '10.20.2.21',
    '10.20.2.25',
    '10.20.2.30',
  ]),
  s('lyn-fil-sensor-01', 'Lyon', 'Filling', '10.20', [
    '10.20.0.5',
    '10.20.1.10',
    '10.20.3.21',
    '10.20.3.30',
    '10.20.3.40',
  ]),
];

function s(name: string, site: string, zone: string, net: string, devices: string[]): Sensor {
  return { name, site, zone, net, devices };
}

/** What makes a group: sensor (zone), title and the device pair. Unique for every `g` below 2^24. */
export interface GroupShape {
  sensor: Sensor;
  title: Title;
  src: string;
  dst: string;
}

/**
 * Group `g` → its key fields. The first 250 groups use inventory devices (lookups hit); higher indices get
 * addresses of their own (lookups miss), so 100,000 groups stay 100,000 distinct keys.
 */
export function groupShape(g: number): GroupShape {
  const sensor = SENSORS[g % SENSORS.length]!;
  const title = TITLES[Math.floor(g / SENSORS.length) % TITLES.length]!;
  const pair = Math.floor(g / (SENSORS.length * TITLES.length));
  if (pair < 5) {
    const d = sensor.devices;
    return { sensor, title, src: d[pair % 2]!, dst: d[2 + (pair % 3)]! };
  }
  const n = pair - 5;
  return {
    sensor,
    title,
    src: `${sensor.net}.${100 + ((n >> 8) & 127)}.${n & 255}`,
    dst: d2(sensor, n),
  };
}

function d2(sensor: Sensor, n: number): string {
  return sensor.devices[2 + (n % 3)]!;
}

const SEVERITY_NUMBER = { Critical: 10, Major: 8, Minor: 4, Warning: 1 } as const;
const AZURE_SEVERITY = { Critical: 'High', Major: 'Medium', Minor: 'Low', Warning: 'Low' } as const;

const iso7 = (ms: number): string => `${new Date(ms).toISOString().slice(0, 23)}0000Z`;
const BSD_MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function bsdTime(ms: number): string {
  const d = new Date(ms);
  const day = String(d.getUTCDate()).padStart(2, ' ');
  return `${BSD_MONTHS[d.getUTCMonth()]} ${day} ${d.toISOString().slice(11, 19)}`;
}

const mac = (ip: string): string => {
  const [, , c, d] = ip.split('.').map(Number) as [number, number, number, number];
  return `00:1b:1b:0a:${c.toString(16).padStart(2, '0')}:${d.toString(16).padStart(2, '0')}`;
};

/**
 * One record of group `g`, the `i`-th record overall, detected at `ms`. Text as it travels on the wire
 * (an Event Hubs body, an NDJSON line or a syslog line).
 */
export function recordText(format: BenchFormat, i: number, g: number, ms: number): string {
  // Decoded from bytes, as the host decodes an Event Hubs body: a flat one-byte string. (A string built by
  // concatenation or JSON.stringify is a rope that V8 flattens on first read, which would be timed as parsing.)
  return Buffer.from(recordRope(format, i, g, ms), 'utf8').toString('utf8');
}

function recordRope(format: BenchFormat, i: number, g: number, ms: number): string {
  const { sensor, title, src, dst } = groupShape(g);
  switch (format) {
    case 'SecurityAlert':
      return securityAlertRow(i, sensor, title, src, dst, ms);
    case 'CEF':
      return (
        `<9>${bsdTime(ms + 2000)} ${sensor.name} CEF:0|Microsoft Defender for IoT/CyberX|${sensor.name}|24.1.3|` +
        `Microsoft Defender for IoT Alert|${title.title}|${SEVERITY_NUMBER[title.sensorSeverity]}|` +
        `msg=${message(title, src, dst)} protocol=${title.protocol} severity=${title.sensorSeverity} ` +
        `type=${engineWords(title.engine)} UUID=${alertUuid(sensor, i)} start=${ms} ` +
        `src_ip=${src} src_mac=${mac(src)} dst_ip=${dst} dst_mac=${mac(dst)} cat=${title.category}`
      );
    case 'LEEF':
      return (
        `<9>${bsdTime(ms + 2000)} ${sensor.net}.0.2 ${sensor.name} LEEF:1.0|Microsoft Defender for IoT|Sensor|` +
        `24.1.3|Microsoft Defender for IoT Alert|title=${title.title}\tmsg=${message(title, src, dst)}\t` +
        `protocol=${title.protocol}\tseverity=${title.sensorSeverity}\ttype=${engineWords(title.engine)}\t` +
        `start=${ms}\tsrc_ip=${src}\tdst_ip=${dst}\tcat=${title.category}\tUUID=${alertUuid(sensor, i)}`
      );
    case 'SensorApi': {
      // The extended webhook body (test/fixtures/formats/webhook-extended.json), written as text.
      const no = sensorNo(sensor);
      return (
        `{"id":${100_000 + i},"UUID":"${alertUuid(sensor, i)}","time":${ms},"title":"${title.title}",` +
        `"message":"${message(title, src, dst)}","severity":"${title.sensorSeverity}",` +
        `"engine":"${engineWords(title.engine)}","sourceDevice":${40 + (i % 50)},"destinationDevice":${90 + (i % 50)},` +
        `"sourceDeviceAddress":"${src}","destinationDeviceAddress":"${dst}",` +
        `"remediationSteps":["Validate the change with the plant engineer."],"handled":false,` +
        `"additionalInformation":null,"sensorID":${no},"sensorName":"${sensor.name}","zoneID":${1 + (no % 3)},` +
        `"zoneName":"${sensor.zone}","siteID":${sensor.site === 'Lyon' ? 2 : 1},"siteName":"${sensor.site}"}`
      );
    }
  }
}

const sensorNo = (sensor: Sensor): number => SENSORS.indexOf(sensor) + 1;

/** The sensor's `<sensor>-<epoch ms>` alert UUID, unique per record even when a storm packs many per ms. */
const alertUuid = (sensor: Sensor, i: number): string => `${sensorNo(sensor)}-${T0 + i}`;

function engineWords(engine: string): string {
  return engine
    .toLowerCase()
    .split('_')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join(' ');
}

function message(title: Title, src: string, dst: string): string {
  return `${title.title}: ${src} to ${dst} over ${title.protocol}. It is recommended to notify the security officer.`;
}

/**
 * The full row Log Analytics data export writes (test/fixtures/formats/securityalert.ndjson), ~2.5 KB, with
 * ExtendedProperties/Entities/RemediationSteps as JSON strings. Written as text (every value here is plain ASCII
 * without quotes) because building it with JSON.stringify costs ~30 µs a record, too slow for a million.
 */
function securityAlertRow(
  i: number,
  sensor: Sensor,
  title: Title,
  src: string,
  dst: string,
  ms: number,
): string {
  const no = 1000 + i;
  const started = iso7(ms);
  const processed = iso7(ms + 90_000);
  const entity = (id: number, ip: string, name: string, type: string) =>
    `{\\"$id\\":\\"${id}\\",\\"DeviceId\\":\\"${10 + id}\\",\\"DeviceName\\":\\"${name}\\",` +
    `\\"DeviceType\\":\\"${type}\\",\\"IpAddress\\":{\\"$id\\":\\"${id + 1}\\",\\"Address\\":\\"${ip}\\",` +
    `\\"Type\\":\\"ip\\"},\\"MacAddress\\":\\"${mac(ip).toUpperCase().replaceAll(':', '-')}\\",` +
    `\\"Vendor\\":\\"Siemens\\",\\"Model\\":\\"S7-1500\\",\\"Site\\":\\"${sensor.site}\\",` +
    `\\"Zone\\":\\"${sensor.zone}\\",\\"Sensor\\":\\"${sensor.name}\\",\\"Owners\\":[],` +
    `\\"Importance\\":\\"High\\",\\"Type\\":\\"iotdevice\\"}`;
  const uri =
    '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-ot/providers/Microsoft.IoTSecurity/' +
    `locations/westeurope/deviceGroups/${sensor.site.toLowerCase()}/alerts/${no}`;
  return (
    `{"TenantId":"00000000-0000-0000-0000-000000000000","TimeGenerated":"${processed}",` +
    `"DisplayName":"${title.title}","AlertName":"${title.title}","AlertSeverity":"${AZURE_SEVERITY[title.sensorSeverity]}",` +
    `"Description":"${message(title, src, dst)}","ProviderName":"IoTSecurity","VendorName":"Microsoft",` +
    `"VendorOriginalId":"${no}","SystemAlertId":"5f0c6b8e-6d1a-4a8e-9a57-${String(no).padStart(12, '0')}",` +
    `"ResourceId":"","SourceComputerId":"","AlertType":"IoT_${title.type}","ConfidenceLevel":"",` +
    `"ConfidenceScore":null,"IsIncident":false,"StartTime":"${started}","EndTime":"${iso7(ms + 5000)}",` +
    `"ProcessingEndTime":"${processed}",` +
    `"RemediationSteps":"[\\"Validate the change with the plant engineer.\\",\\"If the change was not authorized, ` +
    `isolate the source device from the control network.\\"]",` +
    `"ExtendedProperties":"{\\"SensorId\\":\\"${sensor.name}\\",\\"DeviceId\\":\\"${sensor.name}_17\\",` +
    `\\"SourceDeviceAddress\\":\\"${src}\\",\\"DestinationDeviceAddress\\":\\"${dst}\\",` +
    `\\"SourceDevice\\":\\"17\\",\\"DestinationDevice\\":\\"18\\",\\"Protocol\\":\\"${title.protocol}\\",` +
    `\\"AlertManagementUri\\":\\"${uri}\\",\\"isNew\\":\\"True\\",\\"Category\\":\\"${title.category}\\",` +
    `\\"ProcessedBySentinel\\":\\"True\\"}",` +
    `"Entities":"[${entity(2, src, `DEV-${src}`, 'Engineering Station')},${entity(4, dst, `DEV-${dst}`, 'PLC')},` +
    `{\\"$ref\\":\\"3\\"}]",` +
    `"Tactics":"ImpairProcessControl, InhibitResponseFunction","Techniques":"[\\"T0843\\", \\"T0821\\"]",` +
    `"Status":"New","ExtendedLinks":"","CompromisedEntity":"DEV-${dst}",` +
    `"ProductName":"Azure Security Center for IoT","ProductComponentName":"${title.engine}","Type":"SecurityAlert"}`
  );
}

/** Deterministic uniform numbers in [0, 1) (LCG), so every run and every format sees the same sequence. */
export function uniform(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (Math.imul(x, 1_664_525) + 1_013_904_223) >>> 0;
    return x / 2 ** 32;
  };
}

/**
 * `n` records of one format over `groups` group keys, spread evenly over `spanMinutes` of event time
 * (a key whose alerts span several 10-minute windows forms one group per window). With `skew` 1 keys are
 * uniform; with `skew` k the key of each record is ⌊groups·u^k⌋ for a uniform u, so a few noisy alerts carry
 * most of the traffic as in a real plant (k = 3: the top 5 % of keys carry ~37 % of the alerts).
 */
export function dataset(
  format: BenchFormat,
  n: number,
  groups: number,
  spanMinutes: number,
  skew = 1,
): string[] {
  const step = (spanMinutes * 60_000) / n;
  return datasetGroups(n, groups, skew).map((g, i) => recordText(format, i, g, T0 + Math.floor(i * step)));
}

/** The group of each record `dataset(…, n, groups, …, skew)` writes, in order. */
function datasetGroups(n: number, groups: number, skew: number): number[] {
  const out = new Array<number>(n);
  const u = uniform(20261118);
  for (let i = 0; i < n; i++)
    out[i] = skew === 1 ? i % groups : Math.min(groups - 1, Math.floor(groups * u() ** skew));
  return out;
}

/**
 * The site/zone of each record `dataset` writes with the same `n`, `groups` and `skew`: the partition key
 * `ot-soc forward` publishes it with (docs/forwarder.md), so what one Event Hubs partition would carry.
 */
export function datasetZones(n: number, groups: number, skew = 1): string[] {
  return datasetGroups(n, groups, skew).map((g) => {
    const { sensor } = groupShape(g);
    return `${sensor.site}/${sensor.zone}`;
  });
}

/** The plant mix of the durable, relay and replay benches: 4 zones, keys ⌊200·u³⌋, an hour of event time. */
const PLANT_MIX = { groups: 200, spanMinutes: 60, skew: 3 } as const;

/** `n` SecurityAlert rows of the plant mix. */
export const plantMixRows = (n: number): string[] =>
  dataset('SecurityAlert', n, PLANT_MIX.groups, PLANT_MIX.spanMinutes, PLANT_MIX.skew);

/** The zone (`site/zone`) of each of `plantMixRows(n)`. */
export const plantMixZones = (n: number): string[] => datasetZones(n, PLANT_MIX.groups, PLANT_MIX.skew);

/**
 * A storm in one zone: like `dataset`, but every group on the first sensor (Rotterdam / Packaging), so a
 * batch's changes all land in one store partition (one Table PartitionKey).
 */
export function zoneDataset(n: number, groups: number, spanMinutes: number, skew = 1): string[] {
  const out = new Array<string>(n);
  const step = (spanMinutes * 60_000) / n;
  const u = uniform(20261206);
  for (let i = 0; i < n; i++) {
    const g = skew === 1 ? i % groups : Math.min(groups - 1, Math.floor(groups * u() ** skew));
    out[i] = recordText('SecurityAlert', i, g * SENSORS.length, T0 + Math.floor(i * step));
  }
  return out;
}

/** What the Event Hubs trigger hands the handler: JSON bodies already parsed by the host, text as text. */
export function asEvents(format: BenchFormat, texts: readonly string[]): unknown[] {
  return JSON_FORMATS.has(format) ? texts.map((x) => JSON.parse(x) as unknown) : [...texts];
}
