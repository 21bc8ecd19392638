import type { OtAlert, Severity } from '../model/alert.js';

export type AttackSource = 'Config' | 'Catalog' | 'Vendor' | 'Category' | 'Unmapped';

/** An alert after enrichment: the canonical alert plus what the plant context and ATT&CK for ICS add. */
export interface EnrichedAlert extends OtAlert {
  /** Severity as the sensor reported it; `severity` is the effective one after escalations. */
  originalSeverity: Severity;
  tactics: string[];
  techniques: string[];
  techniqueNames: string[];
  attackMapping: AttackSource;
  /** Row columns contributed by enrichment stages (asset, time and risk context), keyed by column name. */
  context: Record<string, unknown>;
}
