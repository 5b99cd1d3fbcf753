/** One benchmark's figures: every measured value sits beside its baseline from the same run. */
export interface Table {
  title: string;
  columns: string[];
  rows: string[][];
  /** Printed under the table: what was measured, how, and anything that went wrong. */
  notes?: string[];
}

/** A plain-text table: the first column left-aligned, the others right-aligned. */
export function formatTable(table: Table): string {
  const widths = table.columns.map((column, index) =>
    Math.max(column.length, ...table.rows.map((row) => (row[index] ?? '').length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, index) => (index === 0 ? cell.padEnd(widths[index]!) : cell.padStart(widths[index]!)))
      .join('  ');
  const rule = widths.map((width) => '-'.repeat(width)).join('  ');
  const notes = (table.notes ?? []).map((note) => `  * ${note}`);
  return [`## ${table.title}`, '', line(table.columns), rule, ...table.rows.map(line), '', ...notes].join(
    '\n',
  );
}

/** `1234.5` -> `1,235`; `0.98765` with 3 digits -> `0.988`. */
export function formatNumber(value: number, digits = 0): string {
  if (!Number.isFinite(value)) return 'n/a';
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export function verdict(met: boolean): string {
  return met ? 'met' : 'MISSED';
}
