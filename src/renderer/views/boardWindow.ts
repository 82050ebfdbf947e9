/**
 * Which board rows are rendered: those in the list's viewport plus a margin either side. A board
 * of hundreds, tens of changes a second, stays within a frame only if the page holds the rows a
 * supervisor can see, not all of them; spacers keep the scrollbar true to the whole list.
 */
export const boardRowPx = 48;
const marginRows = 6;

export interface RowWindow {
  /** First rendered row (index into the shown list). */
  first: number;
  /** One past the last rendered row. */
  end: number;
  padTopPx: number;
  padBottomPx: number;
}

export function rowWindow(count: number, scrollTopPx: number, viewportPx: number, rowPx = boardRowPx): RowWindow {
  const top = Math.max(0, Number.isFinite(scrollTopPx) ? scrollTopPx : 0);
  const height = Math.max(0, Number.isFinite(viewportPx) ? viewportPx : 0);
  const first = Math.min(count, Math.max(0, Math.floor(top / rowPx) - marginRows));
  const end = Math.min(count, Math.max(first, Math.ceil((top + height) / rowPx) + marginRows));
  return { first, end, padTopPx: first * rowPx, padBottomPx: (count - end) * rowPx };
}
