import { describe, expect, it } from 'vitest';
import { buildQuery, fillDays, mergeTeams, nextSort, rangeProblem, sortRows } from './reportModel';

describe('sorting report tables', () => {
  const rows = [
    { id: 'a', calls: 5, fcr: 0.5 as number | null, name: 'Zoë' },
    { id: 'b', calls: 12, fcr: null, name: 'adam' },
    { id: 'c', calls: 2, fcr: 0.9, name: 'Björn' },
    { id: 'd', calls: 5, fcr: Number.NaN, name: 'Carl' },
  ];
  const ids = (r: typeof rows) => r.map((x) => x.id).join('');

  it('sorts numbers both ways, ties in their original order', () => {
    expect(ids(sortRows(rows, (r) => r.calls, 'asc'))).toBe('cadb');
    expect(ids(sortRows(rows, (r) => r.calls, 'desc'))).toBe('badc');
  });

  it('puts rows without a figure last in either direction', () => {
    expect(ids(sortRows(rows, (r) => r.fcr, 'asc'))).toBe('acbd');
    expect(ids(sortRows(rows, (r) => r.fcr, 'desc'))).toBe('cabd');
  });

  it('sorts text case- and accent-insensitively, in the language', () => {
    expect(ids(sortRows(rows, (r) => r.name, 'asc', 'de'))).toBe('bcda');
    expect(ids(sortRows(rows, (r) => r.name, 'desc', 'de'))).toBe('adcb');
  });

  it('does not touch the rows it was given', () => {
    const before = ids(rows);
    sortRows(rows, (r) => r.calls, 'desc');
    expect(ids(rows)).toBe(before);
  });

  it('a new header sorts ascending, the same header again reverses', () => {
    expect(nextSort({ field: 'name', direction: 'asc' }, 'calls')).toEqual({ field: 'calls', direction: 'asc' });
    expect(nextSort({ field: 'name', direction: 'desc' }, 'calls')).toEqual({ field: 'calls', direction: 'asc' });
    expect(nextSort({ field: 'calls', direction: 'asc' }, 'calls')).toEqual({ field: 'calls', direction: 'desc' });
    expect(nextSort({ field: 'calls', direction: 'desc' }, 'calls')).toEqual({ field: 'calls', direction: 'asc' });
  });
});

describe('the date range', () => {
  it('accepts a month and a whole (leap) year, refuses what the service would', () => {
    expect(rangeProblem('2026-11-01', '2026-11-30')).toBeNull();
    expect(rangeProblem('2024-01-01', '2024-12-31')).toBeNull();
    expect(rangeProblem('2024-01-01', '2025-01-01')).toBe('tooLong');
    expect(rangeProblem('2026-11-30', '2026-11-01')).toBe('order');
    expect(rangeProblem('', '2026-11-30')).toBe('invalid');
    expect(rangeProblem('2026-11-01', '2026-02-30')).toBe('invalid');
  });

  it('asks for one team only when one is picked', () => {
    expect(buildQuery('2026-11-01', '2026-11-30', '')).toEqual({ from: '2026-11-01', to: '2026-11-30' });
    expect(buildQuery('2026-11-01', '2026-11-30', 'sales')).toEqual({ from: '2026-11-01', to: '2026-11-30', teams: ['sales'] });
  });
});

describe('the daily series', () => {
  it('fills quiet days with zeros and keeps the days in order', () => {
    const filled = fillDays(
      [
        { day: '2026-11-03', coached: 1, notCoached: 2 },
        { day: '2026-11-01', coached: 3, notCoached: 0 },
      ],
      '2026-11-01',
      '2026-11-04',
    );
    expect(filled).toEqual([
      { day: '2026-11-01', coached: 3, notCoached: 0 },
      { day: '2026-11-02', coached: 0, notCoached: 0 },
      { day: '2026-11-03', coached: 1, notCoached: 2 },
      { day: '2026-11-04', coached: 0, notCoached: 0 },
    ]);
  });

  it('crosses month and year ends', () => {
    expect(fillDays([], '2026-12-30', '2027-01-02').map((d) => d.day)).toEqual(['2026-12-30', '2026-12-31', '2027-01-01', '2027-01-02']);
  });
});

describe('team filter options', () => {
  it('keeps teams seen before when a filtered result names only one', () => {
    const first = mergeTeams([], { teams: [{ team: 'support', name: 'Support' }, { team: 'sales', name: 'Sales' }] });
    expect(first.map((t) => t.id)).toEqual(['sales', 'support']);
    const second = mergeTeams(first, { teams: [{ team: 'sales', name: 'Sales EMEA' }] });
    expect(second).toEqual([
      { id: 'sales', name: 'Sales EMEA' },
      { id: 'support', name: 'Support' },
    ]);
  });
});
