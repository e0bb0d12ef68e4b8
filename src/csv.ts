// The one CSV writer (RFC 4180: a field holding a quote, comma, CR or LF is quoted, quotes
// doubled; `\n` line ends; an empty cell for null or undefined). No I/O.

/** One cell as CSV text: empty for null or undefined, quoted when it must be. */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * A header and rows as CSV text, each line (the last too) ended by `\n`.
 *
 * @example
 * ```ts
 * csvText(['a', 'b'], [[1, 'x,y']]); // 'a,b\n1,"x,y"\n'
 * ```
 */
export function csvText(header: readonly string[], rows: readonly (readonly unknown[])[]): string {
  return [header, ...rows].map((row) => row.map(csvCell).join(',')).join('\n') + '\n';
}
