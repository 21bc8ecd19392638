/**
 * The configuration's custom ATT&CK mappings (`enrichment.attackMappings`): alert title → tactics and techniques,
 * validated against the bundled ATT&CK for ICS. Applied by catalog.ts (mapAttack), which takes precedence as it says.
 */
import { z } from 'zod';
import { ATTACK_ICS_VERSION, parseTechniqueId, sentinelTactic, technique } from './attack.js';
import { normalizeTitle } from './catalog.js';

const tacticField = z.string().transform((s, ctx) => {
  const t = sentinelTactic(s);
  if (!t) {
    ctx.addIssue({
      code: 'custom',
      message:
        `"${s}" is not an ATT&CK for ICS tactic (use a Sentinel value such as InhibitResponseFunction, ` +
        'a MITRE name such as "Impair Process Control", a shortname such as evasion, or a TA01xx id)',
    });
    return z.NEVER;
  }
  return t;
});

const techniqueField = z.string().transform((s, ctx) => {
  const id = parseTechniqueId(s);
  if (!id) {
    ctx.addIssue({ code: 'custom', message: `"${s}" is not a technique id (expected e.g. "T0843")` });
    return z.NEVER;
  }
  const t = technique(id);
  if (!t) {
    ctx.addIssue({
      code: 'custom',
      message: `${id} is not a technique in MITRE ATT&CK for ICS ${ATTACK_ICS_VERSION}`,
    });
    return z.NEVER;
  }
  return t.id;
});

/**
 * Config: alert title → ATT&CK mapping that overrides the catalog for that exact (normalized) title.
 * `{"My Custom Rule": {"tactics": ["Impair Process Control"], "techniques": ["T0855: Unauthorized Command Message"]}}`.
 * Tactics are normalized to Sentinel values and techniques to ids; unknown ones are rejected. Without `tactics`, the
 * techniques' tactics from the bundle are used; with them, an active technique none of whose tactics is listed adds
 * its own (as for every source). `{"techniques": []}` maps a title to nothing (suppresses the catalog mapping).
 */
export const customMappingSchema = z
  .record(
    z.string().trim().min(1, 'alert title must not be empty'),
    z
      .object({
        tactics: z.array(tacticField).optional(),
        techniques: z.array(techniqueField),
      })
      .strict(),
  )
  .superRefine((record, ctx) => {
    const seen = new Map<string, string>();
    for (const key of Object.keys(record)) {
      const n = normalizeTitle(key);
      const first = seen.get(n);
      if (first !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: `title "${key}" is the same alert title as "${first}" once normalized ("${n}")`,
        });
      } else seen.set(n, key);
    }
  });

export type CustomMappings = z.output<typeof customMappingSchema>;
export type CustomMapping = CustomMappings[string];
