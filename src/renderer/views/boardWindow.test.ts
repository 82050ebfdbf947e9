import { describe, expect, it } from 'vitest';
import { rowWindow } from './boardWindow';

describe('board row window', () => {
  it('renders a short team whole', () => {
    expect(rowWindow(5, 0, 600, 48)).toEqual({ first: 0, end: 5, padTopPx: 0, padBottomPx: 0 });
  });

  it('renders only the rows in view and a margin, with spacers for the rest of 500', () => {
    const w = rowWindow(500, 48 * 100, 480, 48); // rows 100–109 in view
    expect(w).toEqual({ first: 94, end: 116, padTopPx: 94 * 48, padBottomPx: (500 - 116) * 48 });
    expect(w.padTopPx + (w.end - w.first) * 48 + w.padBottomPx).toBe(500 * 48);
  });

  it('stays inside the list when scrolled past its end (the list just got shorter) or given nonsense', () => {
    expect(rowWindow(20, 48 * 400, 480, 48)).toEqual({ first: 20, end: 20, padTopPx: 960, padBottomPx: 0 });
    expect(rowWindow(20, -50, Number.NaN, 48)).toEqual({ first: 0, end: 6, padTopPx: 0, padBottomPx: 14 * 48 });
  });
});
