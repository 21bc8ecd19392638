/**
 * "Syslog text message" forwarding format (docs/contracts.md#sensor-forwarding-formats). The doc lists labelled
 * fields but not the separators, and no public sample was found, so fields are found by label (`Label: value`,
 * separated by spaces, commas, semicolons, pipes or newlines):
 *   CyberX platform name (sensor), Microsoft Defender for IoT Alert (title; older sensors say Azure/CyberX),
 *   Type (engine), Severity, Source, Source IP, Protocol, Address, Destination, Destination IP, Protocol, Address,
 *   Message, Alert group, UUID.
 * The two Protocol/Address pairs are told apart by position: before any Destination label they describe the
 * source, after it the destination. There is no alert time: the syslog header time is used.
 */
import type { Device } from '../model/alert.js';
import {
  assignAddress,
  assignAddressOrName,
  type Draft,
  type LabelSpec,
  labelledDraft,
  labelScanner,
  type ParseOptions,
  scanLabels,
  text,
} from './fields/index.js';
import type { SyslogHeader } from './syslogHeader.js';

const LABELS: readonly LabelSpec[] = [
  { key: 'sensor', names: ['CyberX platform name', 'Platform name'], strong: true },
  {
    key: 'title',
    names: [
      'Microsoft Defender for IoT Alert',
      'Azure Defender for IoT Alert',
      'Defender for IoT Alert',
      'CyberX platform Alert',
      'CyberX Alert',
    ],
    strong: true,
  },
  { key: 'engine', names: ['Type'] },
  { key: 'severity', names: ['Severity'] },
  { key: 'source', names: ['Source'] },
  { key: 'sourceIp', names: ['Source IP', 'Source address'] },
  { key: 'protocol', names: ['Protocol'] },
  { key: 'address', names: ['Address'] },
  { key: 'destination', names: ['Destination'] },
  { key: 'destinationIp', names: ['Destination IP', 'Destination address'] },
  { key: 'message', names: ['Message'], long: true },
  { key: 'category', names: ['Alert group'], strong: true },
  { key: 'id', names: ['UUID'], strong: true },
  { key: 'time', names: ['Alert time'], strong: true },
];

const SCANNER = labelScanner(LABELS);
const DETECT_RE = /(?:CyberX platform name|Defender for IoT Alert|CyberX Alert)[ \t]*:/i;

export function isSyslogText(msg: string): boolean {
  return DETECT_RE.test(msg);
}

export function parseSyslogText(msg: string, header: SyslogHeader, opts?: ParseOptions): Draft {
  const source: Device = {};
  const destination: Device = {};
  let onDestination = false;
  let sourceProtocol: string | undefined;
  let destinationProtocol: string | undefined;
  const f: Record<string, string | undefined> = Object.create(null);
  for (const { key, value } of scanLabels(msg, SCANNER)) {
    switch (key) {
      case 'source':
        assignAddressOrName(source, value);
        break;
      case 'sourceIp':
        assignAddress(source, value);
        break;
      case 'destination':
        onDestination = true;
        assignAddressOrName(destination, value);
        break;
      case 'destinationIp':
        onDestination = true;
        assignAddress(destination, value);
        break;
      case 'protocol':
        if (onDestination) destinationProtocol ??= text(value);
        else sourceProtocol ??= text(value);
        break;
      case 'address':
        // A protocol address (e.g. a unit id) unless it is an IP or MAC.
        assignAddress(onDestination ? destination : source, value);
        break;
      default:
        f[key] ??= value;
    }
  }
  return labelledDraft(
    f,
    {
      source,
      destination,
      protocol: sourceProtocol ?? destinationProtocol,
      header,
      sourceFormat: 'SyslogText',
      titleLabel: 'label "Microsoft Defender for IoT Alert"',
    },
    opts,
  );
}
