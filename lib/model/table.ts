/** A table ready for display or CSV export: ordered columns and plain records. */
export interface TableView {
  columns: string[];
  rows: Record<string, string | number | null>[];
  /** Shown above the table. */
  caption?: string;
  /**
   * Columns holding counts, printed without decimals. Columns named like counts (`n`, `n_*`,
   * `nSomething`, `failed`, `duplicates`, `wins`, `losses`, `ties`) are counts without being listed.
   */
  countColumns?: string[];
  /**
   * Decimals shown for these columns (display only: the values and the CSV keep full
   * precision). Other number columns show the default (2).
   */
  digits?: Record<string, number>;
}

/** Whether a column holds counts (listed in `countColumns` or named like one). */
export function isCountColumn(t: TableView, column: string): boolean {
  return (t.countColumns ?? []).includes(column) || /^(n|n_\w+|n[A-Z]\w*|failed|duplicates|wins|losses|ties)$/.test(column);
}
