import { createHash } from 'node:crypto';

/** One event as the Event Hubs trigger would hand it over, with where it sits in the file. */
export interface FileEvent {
  body: unknown;
  locator: string;
}

/** As the Functions host does (research azure-contracts §1.1): JSON bodies arrive parsed, others as strings. */
function hostBody(text: string): unknown {
  const c = text.trimStart()[0];
  if (c !== '{' && c !== '[' && c !== '"') return text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * Splits a replay file into events. A file that is one JSON document (an array of records, or a
 * `{"records":[...]}` export envelope) gives one event per record; anything else is read line by line
 * (NDJSON, syslog lines, or a mix), one event per non-empty line.
 */
export function fileEvents(text: string, name: string): FileEvent[] {
  const body = text.trim();
  if (body.startsWith('[') || (body.startsWith('{') && !body.includes('\n'))) {
    try {
      const doc = JSON.parse(body) as unknown;
      if (Array.isArray(doc)) return doc.map((r, i) => ({ body: r, locator: `${name}[${i}]` }));
      const records = (doc as { records?: unknown }).records;
      if (Array.isArray(records))
        return records.map((r, i) => ({ body: r, locator: `${name}.records[${i}]` }));
    } catch {
      // Not one document: fall through to lines, where each bad line becomes its own dead letter.
    }
  }
  const events: FileEvent[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/\r$/, '');
    if (line.trim()) events.push({ body: hostBody(line), locator: `${name}:${i + 1}` });
  }
  return events;
}

/** The replay "partition" of a file: its content hash, so the same input replayed is recognised. */
export function filePartition(text: string): string {
  return `file:${createHash('sha256').update(text).digest('hex').slice(0, 16)}`;
}
