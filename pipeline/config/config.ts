import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { DEFAULT_KEY_SPEC, keySpecSchema } from '../dedup/keySpec.js';
import { enrichConfigSchema, InventoryError, loadEnrichment } from '../enrich/enricher.js';
import { parseJsonText } from '../util/jsonText.js';

/** The one ot-soc configuration document (JSON). Every section is optional; defaults are Defender for IoT's. */
export const configSchema = z
  .object({
    $schema: z.string().optional(),
    grouping: keySpecSchema.partial().strict().default({}),
    enrichment: enrichConfigSchema.default({ sensors: {}, attackMappings: {} }),
  })
  .strict();
export type OtSocConfig = z.infer<typeof configSchema>;

export class ConfigError extends Error {
  constructor(
    readonly where: string,
    readonly problems: string[],
  ) {
    super(`invalid configuration in ${where}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** `grouping.windowMinutes: Too small: expected number to be >0` — the path of every bad setting. */
export function formatIssues(error: z.ZodError): string[] {
  return error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`);
}

export function parseConfig(value: unknown, where: string): OtSocConfig {
  const result = configSchema.safeParse(value ?? {});
  if (!result.success) throw new ConfigError(where, formatIssues(result.error));
  return result.data;
}

export async function loadConfigFile(file: string): Promise<OtSocConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new ConfigError(file, [
      `cannot read the file: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    ]);
  }
  let value: unknown;
  try {
    value = parseJsonText(text);
  } catch (e) {
    throw new ConfigError(file, [`not valid JSON: ${(e as Error).message}`]);
  }
  const config = parseConfig(value, file);
  // Files the config refers to (the inventory) are read once here, relative to the config file.
  try {
    return { ...config, enrichment: await loadEnrichment(config.enrichment, dirname(file)) };
  } catch (e) {
    if (!(e instanceof InventoryError)) throw e;
    throw new ConfigError(
      file,
      e.problems.map((p) => `enrichment.inventory.file: ${p}`),
    );
  }
}

export function keySpecOf(config: OtSocConfig) {
  return keySpecSchema.parse({ ...DEFAULT_KEY_SPEC, ...config.grouping });
}
