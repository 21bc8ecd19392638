/** A row's cell as text, for the CLI's summaries and report: rows come from JSON, so a cell may be anything. */

/** The cell when it is a string, else empty (a number or object in a text column is not that column's text). */
export const textOf = (v: unknown): string => (typeof v === 'string' ? v : '');

/** The cell as it is shown: a string as is, empty for none, anything else by `String`. */
export const shownText = (v: unknown): string =>
  typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v);
