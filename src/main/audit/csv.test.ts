import { describe, expect, it } from 'vitest';
import { csvCell, entriesToCsv, parseDateRange } from './csv';
import { chainOf } from './testing/fixtures';

/** A small RFC 4180 reader, to show the output parses back to the same cells. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (cell += '"'), i++;
      else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') row.push(cell), (cell = '');
    else if (c === '\r' && text[i + 1] === '\n') row.push(cell), rows.push(row), (row = []), (cell = ''), i++;
    else cell += c;
  }
  return rows;
}

describe('audit CSV export', () => {
  it('quotes commas, quotes and line ends (RFC 4180)', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\r\nlines')).toBe('"two\r\nlines"');
    expect(csvCell(undefined)).toBe('');
    expect(csvCell(42)).toBe('42');
  });

  it('keeps would-be formulas as text', () => {
    for (const s of ['=1+2', '+1', '-1', '@SUM(A1)', '\t=x', '\r=x', '  =x', '＝1', '\u00a0@x']) expect(csvCell(s).replace(/^"/, '')).toMatch(/^'/);
    expect(csvCell('=HYPERLINK("http://127.0.0.1/","x")')).toBe(`"'=HYPERLINK(""http://127.0.0.1/"",""x"")"`);
    expect(csvCell('sip:a-b@x')).toBe('sip:a-b@x');
    expect(csvCell('a=b')).toBe('a=b');
    expect(csvCell('-')).toBe('-');
  });

  it('reads dates as whole UTC days, both ends included; ISO times as given', () => {
    expect(parseDateRange('2026-03-01', '2026-03-01')).toEqual({ from: new Date('2026-03-01T00:00:00Z'), to: new Date('2026-03-02T00:00:00Z') });
    expect(parseDateRange('2026-03-01T10:00:00+02:00', '2026-03-01T12:00Z')).toEqual({ from: new Date('2026-03-01T08:00:00Z'), to: new Date('2026-03-01T12:00:00Z') });
    expect(() => parseDateRange('2026-02-30', '2026-03-01')).toThrow(/no such date/);
    expect(() => parseDateRange('03/01/2026', '2026-03-01')).toThrow(/expected YYYY-MM-DD/);
    expect(() => parseDateRange('2026-03-01T10:00', '2026-03-02')).toThrow(/expected/); // no zone: ambiguous
    expect(() => parseDateRange('2026-03-02', '2026-03-01')).toThrow(/must be after/);
  });

  it('exports the entries in the range with every field, and parses back to the same values', () => {
    const entries = chainOf();
    const csv = entriesToCsv(entries, parseDateRange('2026-03-01', '2026-03-01'));
    const rows = parseCsv(csv);
    expect(rows[0]).toEqual(['seq', 'at', 'actor', 'subject', 'call', 'action', 'mode', 'durationMs', 'result', 'reason', 'prevHash', 'hash']);
    expect(rows.slice(1).map((r) => r[0])).toEqual(['1', '2', '3', '4', '5']); // the 6th is on March 2nd
    expect(rows[3][9]).toBe('Offer the "loyalty" discount, then confirm]');
    expect(rows[4]).toEqual(['4', '2026-03-01T09:01:00.000Z', 'sip:sup@pbx.test', 'sip:agent1@pbx.test', 'a84b4c76e66710@pc33', 'leave', 'whisper', '55000', 'ok', '', entries[3].prevHash, entries[3].hash]);
    const all = parseCsv(entriesToCsv(entries));
    expect(all[6][9]).toBe(`'=HYPERLINK("http://127.0.0.1/x","click")`);
    expect(all[6][2]).toBe('sip:Zoë@pbx.test');
  });
});
