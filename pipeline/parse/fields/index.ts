/**
 * Small helpers shared by the format parsers: text cleanup, IP/MAC detection, time parsing, label scanning.
 * Everything here is pure and allocation-light because it runs once per field of every record.
 */
export { assignAddress, assignAddressOrName, deviceIdOf, ipOf, normalizeMac } from './addresses.js';
export { isObject, listOf, lowerKeys, own, stepsOf } from './collections.js';
export {
  type LabelledParts,
  type LabelScanner,
  type LabelSpec,
  labelledDraft,
  labelScanner,
  scanLabels,
} from './labelled.js';
export {
  type Draft,
  fail,
  inReason,
  MAX_MESSAGE,
  MAX_TEXT,
  MAX_URI,
  messageText,
  type ParseOptions,
  quote,
  text,
} from './text.js';
export {
  invalidTime,
  isoFromMs,
  parseTime,
  present,
  readTime,
  resolveTimes,
} from './time.js';
