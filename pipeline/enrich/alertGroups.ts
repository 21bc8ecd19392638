/**
 * One spelling per alert category. A catalogued title already takes the catalog's category (enricher.ts); this is
 * for the others (custom alert rules, titles of a newer sensor version), whose category is what the sensor sent.
 * Syslog forwarding sends the *alert group* (`cat`, `Alert Group`, `alert_group`), spelled as Defender for IoT's
 * forwarding docs list them — "Restart and stop commands", older "Restart/ Stop Commands" — where the catalog and
 * the portal say "Restart/Stop Commands"; the rules (analytics/routing.ts) and the escalation categories compare
 * categories as text, so an uncatalogued stop command would otherwise miss both. Documented in docs/formats.md.
 */
import { memoize } from '../util/memoize.js';
import { D4IOT_CATALOG } from './catalog.generated.js';

/** Case, spacing, "and" vs "/": the ways the documented spellings of one group differ. */
const keyOf = (category: string): string =>
  category
    .toLowerCase()
    .replace(/\band\b/g, '/')
    .replace(/[\s/]+/g, '');

const canonical = new Map<string, string>();
for (const e of D4IOT_CATALOG)
  if (e.category && !canonical.has(keyOf(e.category))) canonical.set(keyOf(e.category), e.category);

const spelling = memoize((category) => canonical.get(keyOf(category)) ?? category, 1024);

/** The catalog's spelling of a category when it names one of the catalog's, else the category as sent. */
export const canonicalCategory = (category: string | undefined): string | undefined =>
  category === undefined ? undefined : spelling(category);
