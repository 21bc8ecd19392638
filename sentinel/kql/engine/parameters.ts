/**
 * Workbook parameters: `{Name}` and `{Name:format}` replaced by the caller's text (KqlContext.parameters, keyed
 * `Name` or `Name:format`) before parsing, as the workbook engine does. Error positions map back to the original.
 */
import { type ReplacedText, replacePlaceholders } from '../../../analytics/workbook.js';

export type Substituted = ReplacedText;

export function substitute(query: string, parameters: Record<string, string> | undefined): Substituted {
  if (!parameters) return { text: query, toOriginal: (o) => o };
  return replacePlaceholders(query, (name, format) => {
    const key = format ? `${name}:${format}` : name;
    return Object.hasOwn(parameters, key) ? parameters[key] : undefined;
  });
}
