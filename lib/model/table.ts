/** A table ready for display or CSV export: ordered columns and plain records. */
export interface TableView {
  columns: string[];
  rows: Record<string, string | number | null>[];
  /** Shown above the table. */
  caption?: string;
}
