/**
 * The records of an NDJSON text (one JSON value per line, blank lines skipped), each with its 1-based line number,
 * so a caller's own error names the line too. A line that is not JSON throws `file:line: not JSON: …`.
 */
export function* ndjsonRecords(text: string, file: string): Generator<{ value: unknown; line: number }> {
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (!line.trim()) continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (e) {
      throw new Error(`${file}:${i + 1}: not JSON: ${(e as Error).message}`);
    }
    yield { value, line: i + 1 };
  }
}
