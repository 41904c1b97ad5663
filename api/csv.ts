/**
 * CSV as spreadsheets read it (RFC 4180, CRLF), streamed line by line. A text cell that a
 * spreadsheet would run as a formula (=, +, -, @, tab, CR first) is prefixed with a quote
 * mark: reasons and names are free text typed by clients and staff.
 */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  let text = typeof value === 'string' ? value : JSON.stringify(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** Lines are sent in chunks of about this many characters: one socket write per line would cost more than the query. */
const CHUNK_CHARS = 64 * 1024;

export async function* csvLines<T>(columns: ReadonlyArray<keyof T & string>, rows: AsyncIterable<T> | Iterable<T>): AsyncGenerator<string> {
  let chunk = `${columns.join(',')}\r\n`;
  for await (const row of rows) {
    chunk += `${columns.map((column) => csvCell(row[column])).join(',')}\r\n`;
    if (chunk.length >= CHUNK_CHARS) {
      yield chunk;
      chunk = '';
    }
  }
  yield chunk;
}
