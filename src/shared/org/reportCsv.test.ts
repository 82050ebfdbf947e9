import { describe, expect, it } from 'vitest';
import { emptyQa, emptySums, type OutcomeSums, type QaSums, type ReportResult } from './report';
import { guardCell, quoteCell, reportCsv, reportCsvFileName } from './reportCsv';

const sums = (p: Partial<OutcomeSums>): OutcomeSums => ({ ...emptySums(), ...p });
const qa = (evaluations: number, points: number, maxPoints: number): QaSums => ({ evaluations, points, maxPoints, acknowledged: 0 });

function report(): ReportResult {
  const a = sums({ calls: 10, handled: 8, handleSeconds: 1000, holdSeconds: 80, transferred: 2, escalated: 1, wrappedUp: 6, resolved: 4 });
  const aCoached = sums({ calls: 4, handled: 4, handleSeconds: 600, holdSeconds: 40, transferred: 1, escalated: 1, wrappedUp: 3, resolved: 3 });
  const aNot = sums({ calls: 6, handled: 4, handleSeconds: 400, holdSeconds: 40, transferred: 1, escalated: 0, wrappedUp: 3, resolved: 1 });
  // Rang but never answered: every rate has nothing to divide by.
  const b = sums({ calls: 3 });
  return {
    query: { from: '2026-11-01', to: '2026-11-30' },
    scope: 'teams',
    generatedAt: '2026-12-01T08:00:00.000Z',
    queryMs: 12,
    // Deliberately not the sum of the agents (a call shared by two agents counts once): the Total row must take these.
    totals: {
      all: sums({ calls: 12, handled: 9, handleSeconds: 1350, holdSeconds: 90, transferred: 3, escalated: 1, wrappedUp: 6, resolved: 4 }),
      coached: aCoached,
      notCoached: sums({ calls: 8, handled: 5, handleSeconds: 750, holdSeconds: 50, transferred: 2, escalated: 0, wrappedUp: 3, resolved: 1 }),
      // Not the agents' sum either: the Total row's QA cells must take these.
      qa: qa(3, 35, 60),
    },
    teams: [{ team: 'sales', name: 'Sales, "North"', agents: 2, qa: qa(2, 27, 40), all: a, coached: aCoached, notCoached: aNot }],
    agents: [
      { agent: '1001@pbx.example', name: '=HYPERLINK("http://evil")', teams: ['sales', 'support'], qa: qa(2, 27, 40), all: a, coached: aCoached, notCoached: aNot },
      { agent: '1002@pbx.example', name: 'Line\nbreak', teams: ['sales'], qa: emptyQa(), all: b, coached: emptySums(), notCoached: b },
    ],
    supervisors: [
      { supervisor: '2001@pbx.example', name: '-Ann', sessions: 3, agents: 2, sessionSeconds: 600, talkSeconds: 90, prompts: 5, acknowledged: 4, byMode: { listen: 1, whisper: 1, barge: 1, takeover: 0 } },
      { supervisor: '2002@pbx.example', name: '@Bob', sessions: 1, agents: 1, sessionSeconds: 0, talkSeconds: 0, prompts: 0, acknowledged: 0, byMode: { listen: 1, whisper: 0, barge: 0, takeover: 0 } },
    ],
    daily: [],
  };
}

/** A strict RFC 4180 reader, so the tests check what a spreadsheet would see, not string fragments. */
function parse(csv: string): string[][] {
  const out: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let i = 0;
  let quoted = false;
  while (i < csv.length) {
    const c = csv[i];
    if (quoted) {
      if (c === '"' && csv[i + 1] === '"') (cell += '"'), (i += 2);
      else if (c === '"') (quoted = false), i++;
      else (cell += c), i++;
    } else if (c === '"' && cell === '') (quoted = true), i++;
    else if (c === '"') throw new Error(`stray quote at ${i}`);
    else if (c === ',') row.push(cell), (cell = ''), i++;
    else if (c === '\r' && csv[i + 1] === '\n') row.push(cell), out.push(row), (row = []), (cell = ''), (i += 2);
    else if (c === '\n' || c === '\r') throw new Error(`bare line break at ${i}`);
    else (cell += c), i++;
  }
  if (quoted) throw new Error('unterminated quote');
  if (cell !== '' || row.length > 0) throw new Error('last line not terminated by CRLF');
  return out;
}

function table(csv: string): Record<string, string>[] {
  const [header, ...rows] = parse(csv);
  for (const r of rows) expect(r).toHaveLength(header.length);
  return rows.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i]])));
}

describe('reportCsv', () => {
  it('quotes commas, quotes and line breaks (RFC 4180) and ends lines with CRLF', () => {
    expect(quoteCell('a,b')).toBe('"a,b"');
    expect(quoteCell('say "hi"')).toBe('"say ""hi"""');
    expect(quoteCell('two\nlines')).toBe('"two\nlines"');
    expect(quoteCell('old\rmac')).toBe('"old\rmac"');
    expect(quoteCell('plain')).toBe('plain');
    const csv = reportCsv('teams', report());
    expect(csv).toContain('"Sales, ""North"""');
    expect(table(csv)[0].Name).toBe('Sales, "North"');
    expect(table(reportCsv('agents', report()))[1].Name).toBe('Line\nbreak');
  });

  it('guards cells a spreadsheet would run as a formula', () => {
    for (const s of ['=1+1', '+1', '-1', '@SUM(A1)', '\tx', '\rx']) expect(guardCell(s)).toBe(`'${s}`);
    for (const s of ['Ann', '1001@pbx.example', "'quoted", '']) expect(guardCell(s)).toBe(s);
    const agents = table(reportCsv('agents', report()));
    expect(agents[0].Name).toBe(`'=HYPERLINK("http://evil")`);
    const sups = table(reportCsv('supervisors', report()));
    expect(sups.map((r) => r.Name)).toEqual(["'-Ann", "'@Bob", '']);
  });

  it('writes figures as plain decimals: AHT in seconds to 1 place, rates 0–1 to 3', () => {
    const [a] = table(reportCsv('agents', report()));
    expect(a.Calls).toBe('10');
    expect(a['AHT (s)']).toBe('125');
    expect(a['Avg hold (s)']).toBe('10');
    expect(a['Transfer rate (0-1)']).toBe('0.25');
    expect(a['Escalation rate (0-1)']).toBe('0.125');
    expect(a['FCR (0-1)']).toBe('0.667');
    expect(a['Coached AHT (s)']).toBe('150');
    expect(a['Not coached FCR (0-1)']).toBe('0.333');
    expect(a.Teams).toBe('sales;support');
    const [s] = table(reportCsv('supervisors', report()));
    expect(s['Talk share (0-1)']).toBe('0.15');
    expect(s['Session time (s)']).toBe('600');
  });

  it('leaves a cell empty where there is nothing to divide by, never 0', () => {
    const [, b] = table(reportCsv('agents', report()));
    expect(b.Calls).toBe('3');
    expect(b.Handled).toBe('0');
    for (const h of ['AHT (s)', 'Avg hold (s)', 'Transfer rate (0-1)', 'Escalation rate (0-1)', 'FCR (0-1)', 'Coached AHT (s)', 'Coached FCR (0-1)']) expect(b[h], h).toBe('');
    const [, bob] = table(reportCsv('supervisors', report()));
    expect(bob['Talk share (0-1)']).toBe('');
  });

  it('writes QA columns last: evaluations, points, max and the score 0–1, the score empty without evaluations', () => {
    const [a, b, total] = table(reportCsv('agents', report()));
    expect(a).toMatchObject({ Evaluations: '2', 'QA points': '27', 'QA max': '40', 'QA score (0-1)': '0.675' });
    expect(b).toMatchObject({ Evaluations: '0', 'QA points': '0', 'QA max': '0', 'QA score (0-1)': '' });
    expect(total).toMatchObject({ Agent: 'Total', Evaluations: '3', 'QA points': '35', 'QA max': '60', 'QA score (0-1)': '0.583' });
    const [team, teamTotal] = table(reportCsv('teams', report()));
    expect(team).toMatchObject({ Team: 'sales', Evaluations: '2', 'QA score (0-1)': '0.675' });
    expect(teamTotal).toMatchObject({ Team: 'Total', Evaluations: '3', 'QA score (0-1)': '0.583' });
    for (const kind of ['agents', 'teams'] as const) expect(parse(reportCsv(kind, report()))[0].slice(-4)).toEqual(['Evaluations', 'QA points', 'QA max', 'QA score (0-1)']);
    expect(parse(reportCsv('supervisors', report()))[0]).not.toContain('Evaluations');
  });

  it('ends with a Total row from the report totals, not averages of rows', () => {
    const agents = table(reportCsv('agents', report()));
    const total = agents[agents.length - 1];
    expect(total.Agent).toBe('Total');
    expect(total.Calls).toBe('12');
    expect(total['AHT (s)']).toBe('150'); // 1350 / 9, not the mean of the rows' AHTs
    expect(total['Not coached Calls']).toBe('8');
    const teams = table(reportCsv('teams', report()));
    expect(teams[teams.length - 1]).toMatchObject({ Team: 'Total', Agents: '2', Calls: '12' });
    const sups = table(reportCsv('supervisors', report()));
    expect(sups[sups.length - 1]).toMatchObject({ Supervisor: 'Total', Sessions: '4', Agents: '', 'Session time (s)': '600', 'Talk share (0-1)': '0.15', Prompts: '5', Listen: '2' });
  });

  it('has a header row, one line per row plus the total, and the same columns on every line', () => {
    const r = report();
    expect(parse(reportCsv('agents', r))).toHaveLength(1 + r.agents.length + 1);
    expect(parse(reportCsv('teams', r))).toHaveLength(1 + r.teams.length + 1);
    const sup = parse(reportCsv('supervisors', r));
    expect(sup[0]).toEqual(['Supervisor', 'Name', 'Sessions', 'Agents', 'Session time (s)', 'Talk time (s)', 'Talk share (0-1)', 'Prompts', 'Acknowledged', 'Listen', 'Whisper', 'Barge', 'Takeover']);
    const empty = { ...r, agents: [], teams: [], supervisors: [] };
    expect(parse(reportCsv('agents', empty))).toHaveLength(2);
  });

  it('names the file after the table and the range', () => {
    expect(reportCsvFileName('agents', { from: '2026-11-01', to: '2026-11-30' })).toBe('whisperline-agents-2026-11-01-2026-11-30.csv');
  });
});
