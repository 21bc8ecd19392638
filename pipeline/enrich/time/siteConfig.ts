/** The `enrichment.sites` config: time zone, working hours, holidays and maintenance windows per site (zod). */

import { z } from 'zod';
import { instantOf, isIsoDate, parseDays, parseTimeRange, parseWhen } from './calendarValues.js';
import { isTimeZone } from './zoneClock.js';

/** Adds an issue when `parse` returns an error text. */
export function checked<T>(parse: (s: string) => T | string) {
  return z.string().superRefine((s, ctx) => {
    const r = parse(s);
    if (typeof r === 'string') ctx.addIssue({ code: 'custom', message: r });
  });
}

export const timeZoneSchema = z.string().superRefine((tz, ctx) => {
  if (!isTimeZone(tz))
    ctx.addIssue({
      code: 'custom',
      message: `unknown time zone "${tz}"`,
    });
});

export const timeRanges = z.union([checked(parseTimeRange), z.array(checked(parseTimeRange)).min(1)]);

/** `{"Mon-Fri": "06:00-22:00", "Sat": ["06:00-10:00", "14:00-18:00"]}`; days not listed have no working hours. */
export const workingHoursSchema = z.record(z.string(), timeRanges).superRefine((hours, ctx) => {
  for (const key of Object.keys(hours)) {
    const days = parseDays(key);
    if (typeof days === 'string') ctx.addIssue({ code: 'custom', path: [key], message: days });
  }
});

export const dateSchema = z.string().refine(isIsoDate, { message: 'expected a date "YYYY-MM-DD"' });
export const holidaySchema = z.union([
  dateSchema,
  z.object({ date: dateSchema, name: z.string().trim().min(1).optional() }).strict(),
]);

export const maintenanceWindowSchema = z
  .object({
    /** Shown in the ExpectedMaintenance reason ("Brewhouse PLC firmware upgrade, CHG0042317"). */
    title: z.string().trim().min(1).optional(),
    start: checked(parseWhen),
    end: checked(parseWhen),
    /** IPs, MACs or names of the devices allowed to work (program, flash, stop) in the window. */
    devices: z.array(z.string().trim().min(1)).min(1),
    /** Only alerts in these zones; absent: the whole site. */
    zones: z.array(z.string().trim().min(1)).min(1).optional(),
  })
  .strict();

export const siteSchema = z
  .object({
    timeZone: timeZoneSchema,
    workingHours: workingHoursSchema.optional(),
    holidays: z.array(holidaySchema).optional(),
    maintenanceWindows: z.array(maintenanceWindowSchema).optional(),
  })
  .strict()
  .superRefine((site, ctx) => {
    if (!isTimeZone(site.timeZone)) return; // reported on timeZone
    site.maintenanceWindows?.forEach((w, i) => {
      const start = parseWhen(w.start);
      const end = parseWhen(w.end);
      if (typeof start === 'string' || typeof end === 'string') return;
      if (instantOf(end, site.timeZone) <= instantOf(start, site.timeZone)) {
        ctx.addIssue({
          code: 'custom',
          path: ['maintenanceWindows', i, 'end'],
          message: `"${w.end}" is not after start "${w.start}"`,
        });
      }
    });
  });
export type SiteConfig = z.output<typeof siteSchema>;

/** Site name (as alerts and `enrichment.sensors` name it, any case) → calendar. */
export const sitesSchema = z.record(z.string().trim().min(1), siteSchema).superRefine((sites, ctx) => {
  const seen = new Map<string, string>();
  for (const name of Object.keys(sites)) {
    const first = seen.get(name.toLowerCase());
    if (first !== undefined)
      ctx.addIssue({
        code: 'custom',
        path: [name],
        message: `same site as "${first}" (names are compared case-insensitively)`,
      });
    else seen.set(name.toLowerCase(), name);
  }
});
export type SitesConfig = z.output<typeof sitesSchema>;
