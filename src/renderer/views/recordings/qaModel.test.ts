import { describe, expect, it } from 'vitest';
import type { OrgPolicyStatus } from '../../../shared/bridge';
import { scoreEvaluation, scorecardSchema, type Evaluation, type Scorecard } from '../../../shared/org/qa';
import { byTime, itemLines, newestFirst, parseScore, scoreRatio, scorecardsOf, tally, withComment } from './qaModel';

const card: Scorecard = scorecardSchema.parse({
  id: 'basic',
  name: 'Basic',
  items: [
    { id: 'greeting', label: 'Greeting', points: 5 },
    { id: 'solution', label: 'Solved the issue', points: 10, help: 'First contact' },
    { id: 'close', label: 'Closing', points: 5 },
  ],
});

describe('parseScore', () => {
  it('takes whole numbers from 0 to the item’s points', () => {
    expect(parseScore('0', 5)).toBe(0);
    expect(parseScore(' 5 ', 5)).toBe(5);
    expect(parseScore('10', 10)).toBe(10);
  });

  it('refuses empty, negative, fractional, too high and non-numeric text', () => {
    for (const s of ['', ' ', '-1', '2.5', '6', '1e1', 'abc', '0x3', '1000']) expect(parseScore(s, 5), s).toBeNull();
  });
});

describe('tally', () => {
  it('sums the scored items against the whole card’s points', () => {
    expect(tally(card, {})).toEqual({ scores: {}, points: 0, maxPoints: 20, complete: false });
    expect(tally(card, { greeting: '4', solution: '7' })).toEqual({ scores: { greeting: 4, solution: 7 }, points: 11, maxPoints: 20, complete: false });
  });

  it('leaves out an invalid score, so the evaluation is not complete', () => {
    const t = tally(card, { greeting: '4', solution: '11', close: '5' });
    expect(t.scores).toEqual({ greeting: 4, close: 5 });
    expect(t.points).toBe(9);
    expect(t.complete).toBe(false);
  });

  it('is complete exactly when the contract’s check accepts the scores, with the same total', () => {
    const t = tally(card, { greeting: '5', solution: '0', close: '3', unknown: '2' });
    expect(t.complete).toBe(true);
    expect(scoreEvaluation(card, t.scores)).toEqual({ ok: true, points: 8, maxPoints: 20 });
    expect(scoreEvaluation(card, tally(card, { greeting: '5', close: '3' }).scores).ok).toBe(false);
  });
});

describe('scoreRatio', () => {
  it('is points over max, null without a max', () => {
    expect(scoreRatio(15, 20)).toBe(0.75);
    expect(scoreRatio(0, 0)).toBeNull();
  });
});

describe('comments', () => {
  it('keeps comments in time order, a later-added one at the same moment after the earlier', () => {
    let list = withComment([], { atMs: 5000, text: 'b' });
    list = withComment(list, { atMs: 1000, text: 'a' });
    list = withComment(list, { atMs: 5000, text: 'c' });
    expect(list.map((c) => c.text)).toEqual(['a', 'b', 'c']);
    expect(byTime([{ atMs: 9, text: 'y' }, { atMs: 3, text: 'x' }]).map((c) => c.atMs)).toEqual([3, 9]);
  });
});

describe('scorecardsOf', () => {
  it('reads the policy’s scorecards, none without a policy or a qa section', () => {
    const active = (qa?: { scorecards: Scorecard[] }) => ({ state: 'active', summary: '', keyId: 'k', policy: { qa } }) as unknown as OrgPolicyStatus;
    expect(scorecardsOf(active({ scorecards: [card] }))).toEqual([card]);
    expect(scorecardsOf(active())).toEqual([]);
    expect(scorecardsOf({ state: 'none', reason: 'no policy' })).toEqual([]);
  });
});

describe('evaluations', () => {
  const ev = (id: string, createdAt: string): Evaluation => ({
    id,
    agent: '1001@pbx.example',
    callId: 'c',
    recordingId: null,
    evaluator: 'qa@pbx.example',
    scorecard: 'basic',
    scorecardName: 'Basic',
    scores: {},
    comments: [],
    note: '',
    points: 0,
    maxPoints: 20,
    createdAt,
    acknowledgedAt: null,
    agentComment: '',
  });

  it('lists the newest first, unreadable dates last', () => {
    const list = newestFirst([ev('a', '2026-11-01T10:00:00Z'), ev('b', 'garbage'), ev('c', '2026-11-03T10:00:00Z')]);
    expect(list.map((e) => e.id)).toEqual(['c', 'a', 'b']);
  });

  it('labels scores from the scorecard in its order, and items it no longer has by id', () => {
    const lines = itemLines({ scorecard: 'basic', scores: { close: 3, greeting: 5, retired: 2 } }, [card]);
    expect(lines).toEqual([
      { id: 'greeting', label: 'Greeting', score: 5, points: 5 },
      { id: 'close', label: 'Closing', score: 3, points: 5 },
      { id: 'retired', label: 'retired', score: 2, points: null },
    ]);
    expect(itemLines({ scorecard: 'gone', scores: { b: 1, a: 2 } }, [card]).map((l) => [l.label, l.points])).toEqual([
      ['a', null],
      ['b', null],
    ]);
  });
});
