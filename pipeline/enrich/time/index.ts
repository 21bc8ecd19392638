/**
 * Time context per site — local time in the site's IANA time zone (DST-correct through Intl), working hours,
 * holidays and maintenance windows — and the escalation rules that read it.
 *
 * Calendars are compiled once at start. Per alert: one cached UTC offset per zone and quarter hour (tz transitions
 * fall on quarter hours), Date arithmetic, and a binary search over the site's maintenance windows.
 */
export { isIsoDate, parseDays, parseTimeRange, parseWhen, type WhenSpec } from './calendarValues.js';
export {
  compileEscalation,
  type Escalation,
  type EscalationConfig,
  type EscalationRule,
  type EscalationRules,
  escalate,
  escalationSchema,
  maintenanceWork,
  operationKind,
  type RuleInput,
} from './escalation.js';
export {
  compileSite,
  compileSites,
  type MaintenanceWindow,
  openWindows,
  type SiteCalendar,
  type TimeContext,
  timeContextAt,
} from './siteCalendar.js';
export { type SiteConfig, type SitesConfig, siteSchema, sitesSchema, timeZoneSchema } from './siteConfig.js';
export {
  isTimeZone,
  type LocalMoment,
  localMoment,
  localToUtc,
  offsetMinutes,
  wallClockToUtc,
} from './zoneClock.js';
