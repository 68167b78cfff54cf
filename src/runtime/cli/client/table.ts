// Tables as the docker CLI prints them: Go's tabwriter with a minimum cell width of 10 and a
// padding of 3 (docker/cli formatter), the last column unpadded; widths count characters, not bytes.

const minCellWidth = 10;
const padding = 3;

/**
 * Aligns rows (the first is usually the header) into columns; each line ends with "\n".
 * @example
 * formatTable([['NAME', 'STATUS'], ['web', 'Up 2 seconds']])
 * // 'NAME       STATUS\nweb        Up 2 seconds\n'
 */
export function formatTable(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => { widths[i] = Math.max(widths[i] ?? 0, Math.max(width(cell) + padding, minCellWidth)); });
  }
  return rows.map((row) => `${row.map((cell, i) => (i === row.length - 1 ? cell : cell + ' '.repeat(widths[i]! - width(cell)))).join('')}\n`).join('');
}

/**
 * Docker's formatter.Ellipsis: at most `max` characters, the last one "…" when cut.
 * @example ellipsis('sh -c echo hello; echo bye', 20) // 'sh -c echo hello; e…'
 */
export function ellipsis(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

function width(text: string): number {
  return [...text].length;
}
