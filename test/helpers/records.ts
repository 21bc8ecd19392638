/**
 * Realistic raw records (field names from docs/contracts.md#defender-for-iot-securityalert-rows and #sensor-
 * forwarding-formats) for pipeline tests.
 */

export interface AlertOpts {
  title?: string;
  id?: string;
  t: string;
  sensor?: string;
  src?: string;
  dst?: string;
  status?: string;
  severity?: string;
  protocol?: string;
  zone?: string;
  site?: string;
}

let n = 0;

/** A Sentinel SecurityAlert row from Defender for IoT (ExtendedProperties/Entities as JSON strings). */
export function securityAlert(o: AlertOpts): Record<string, unknown> {
  n++;
  const id = o.id ?? `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
  const src = o.src ?? '10.10.1.66';
  const dst = o.dst ?? '10.10.2.21';
  const entity = (ip: string, i: number) => ({
    $id: String(i),
    Type: 'iotdevice',
    DeviceName: `dev-${ip}`,
    IpAddress: { Address: ip },
    Sensor: o.sensor ?? 'rtm-pkg-sensor-01',
    Site: o.site ?? 'Rotterdam',
    Zone: o.zone ?? 'Packaging',
  });
  return {
    TimeGenerated: o.t,
    AlertName: o.title ?? 'Unauthorized PLC Programming',
    AlertSeverity: o.severity ?? 'High',
    Description: 'test alert',
    ProviderName: 'IoTSecurity',
    VendorOriginalId: id,
    ProductComponentName: 'POLICY_VIOLATION',
    StartTime: o.t,
    EndTime: o.t,
    Status: o.status ?? 'New',
    ExtendedProperties: JSON.stringify({
      SensorId: o.sensor ?? 'rtm-pkg-sensor-01',
      SourceDeviceAddress: src,
      DestinationDeviceAddress: dst,
      Protocol: o.protocol ?? 'S7',
    }),
    Entities: JSON.stringify([entity(src, 1), entity(dst, 2)]),
  };
}

/** A CEF line as a Defender for IoT sensor forwards it (docs/contracts.md#sensor-forwarding-formats). */
export function cefLine(o: AlertOpts): string {
  const t = Date.parse(o.t);
  return `CEF:0|Microsoft Defender for IoT/CyberX|${o.sensor ?? 'lyn-fil-sensor-01'}|24.1.3|Microsoft Defender for IoT Alert|${
    o.title ?? 'Excessive Number of Sessions'
  }|10|msg=A source device opened an excessive number of sessions. protocol=${o.protocol ?? 'CIP'} severity=Critical type=Anomaly UUID=${
    o.id ?? `cef-${++n}`
  } start=${t} src_ip=${o.src ?? '10.20.3.30'} dst_ip=${o.dst ?? '10.20.3.21'} cat=Abnormal Communication Behavior`;
}

export const minute = (base: string, m: number, s = 0): string =>
  new Date(Date.parse(base) + m * 60_000 + s * 1000).toISOString();
