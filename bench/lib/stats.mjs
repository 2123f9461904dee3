/** Small statistics and formatting helpers shared by the benchmark scripts. */

/** Median, not mean: one slow outlier (a GC pause, a dockerd hiccup) must not move the figure. */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export const min = (values) => Math.min(...values);
export const sum = (values) => values.reduce((a, b) => a + b, 0);

export const fmtMs = (ms) => `${Math.round(ms)} ms`;
export const fmtS = (ms) => `${(ms / 1000).toFixed(3)} s`;
export const fmtX = (ratio) => `${ratio.toFixed(2)}x`;

/** Left-pads or right-pads every cell of a table so columns line up in a monospace terminal. */
export function table(rows, { rightAligned = [] } = {}) {
  const widths = rows[0].map((_, col) => Math.max(...rows.map((row) => String(row[col]).length)));
  return rows
    .map((row) =>
      row
        .map((cell, col) => (rightAligned.includes(col) ? String(cell).padStart(widths[col]) : String(cell).padEnd(widths[col])))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}
