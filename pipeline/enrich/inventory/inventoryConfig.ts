/** The `enrichment.inventory` config: a file and/or inline devices (zod). */

import { z } from 'zod';
import { duplicateProblems, KNOWN_HEADERS, objectEntries, toAssets } from './assetRecords.js';
import type { Asset } from './assetValues.js';

// ---------------------------------------------------------------------------------------------------------------
// Config: `enrichment.inventory`

/**
 * One inline device: the same keys as the CSV columns (any case), unknown keys rejected; parsed to its assets (one
 * per address of a device with several).
 */
export const inlineDeviceSchema = z.record(z.string(), z.unknown()).transform((o, ctx): Asset[] => {
  const { entries, unknown } = objectEntries(o, true);
  for (const key of unknown) {
    ctx.addIssue({ code: 'custom', path: [key], message: `unknown device field (known: ${KNOWN_HEADERS})` });
  }
  const r = toAssets(entries);
  for (const p of r.problems)
    ctx.addIssue({ code: 'custom', path: p.label ? [p.label] : [], message: p.message });
  return unknown.length || r.problems.length ? z.NEVER : r.assets;
});

/**
 * `{"file": "inventory.csv", "devices": [{"IPAddress": "10.0.0.1", "AssetType": "PLC", ...}]}`. A relative `file` is
 * read relative to the configuration file (see loadEnrichment); inline devices take precedence over the file's.
 */
export const inventoryConfigSchema = z
  .object({
    file: z.string().trim().min(1).optional(),
    devices: z
      .array(inlineDeviceSchema)
      .transform((devices, ctx) => {
        const assets = devices.flat();
        const index = devices.flatMap((d, i) => d.map(() => i));
        const labels = index.map((i) => `device ${i}`);
        for (const d of duplicateProblems(assets, labels))
          ctx.addIssue({ code: 'custom', path: [index[d.index]!], message: d.message });
        return assets;
      })
      .optional(),
  })
  .strict();
export type InventoryConfig = z.output<typeof inventoryConfigSchema>;
