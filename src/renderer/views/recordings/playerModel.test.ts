import { describe, expect, it } from 'vitest';
import type { TimelineEvent } from '../../../shared/recording/types';
import { SyncGroup, drawnAtMs, formatMs, markerColor, markerLabel, markersFrom, pauseSpans, toggled, trackVolumes, type Playable } from './playerModel';

const ev = (atMs: number, kind: TimelineEvent['kind'], detail?: string): TimelineEvent => (detail === undefined ? { atMs, kind } : { atMs, kind, detail });

describe('markers', () => {
  it('labels each kind shortly; a mode change shows the mode', () => {
    expect(markerLabel(ev(0, 'mode-changed', 'whisper'))).toBe('whisper');
    expect(markerLabel(ev(0, 'mode-changed'))).toBe('mode');
    expect(markerLabel(ev(0, 'recording-paused'))).toBe('paused');
    expect(markerLabel(ev(0, 'held'))).toBe('held');
    expect(markerLabel(ev(0, 'resumed'))).toBe('unheld');
    expect(markerLabel(ev(0, 'mode-changed', 'a very long mode name indeed'))).toHaveLength(16);
  });

  it('sorts by time (stable), clamps to the recording and keeps the detail as a title', () => {
    const m = markersFrom([ev(5000, 'held'), ev(1000, 'supervisor-joined', 'sup@x'), ev(1000, 'mode-changed', 'listen'), ev(99_000, 'ended')], 60_000);
    expect(m.map((x) => [x.atMs, x.kind, x.label])).toEqual([
      [1000, 'supervisor-joined', 'joined'],
      [1000, 'mode-changed', 'listen'],
      [5000, 'held', 'held'],
      [60_000, 'ended', 'ended'],
    ]);
    expect(m[0]!.title).toBe('joined: sup@x');
    expect(m[2]!.title).toBe('held');
  });

  it('draws a marker at the very end just before it (the regions plugin leaves out the last pixel); others where they are', () => {
    expect(drawnAtMs(12_000, 12_000)).toBeLessThan(12_000);
    expect(drawnAtMs(12_000, 12_000)).toBeGreaterThan(11_900);
    expect(drawnAtMs(3_000, 12_000)).toBe(3_000);
    expect(drawnAtMs(0, 12_000)).toBe(0);
    // A 200 px waveform: the end marker lands on a pixel before the last one.
    expect(Math.round((drawnAtMs(60_000, 60_000) / 60_000) * 200)).toBeLessThan(200);
  });
});

describe('pauseSpans', () => {
  it('pairs paused with the next resumed', () => {
    expect(pauseSpans([ev(1000, 'recording-paused'), ev(3000, 'recording-resumed'), ev(5000, 'recording-paused', 'card'), ev(6000, 'recording-resumed')], 10_000)).toEqual([
      { startMs: 1000, endMs: 3000, open: false },
      { startMs: 5000, endMs: 6000, open: false },
    ]);
  });

  it('runs an unclosed pause to the end', () => {
    expect(pauseSpans([ev(4000, 'recording-paused')], 9000)).toEqual([{ startMs: 4000, endMs: 9000, open: true }]);
  });

  it('ignores a second pause, a stray resume, other kinds, and reads out of order', () => {
    const t = [ev(7000, 'recording-resumed'), ev(500, 'recording-resumed'), ev(2000, 'recording-paused'), ev(3000, 'held'), ev(4000, 'recording-paused'), ev(8000, 'resumed')];
    expect(pauseSpans(t, 10_000)).toEqual([{ startMs: 2000, endMs: 7000, open: false }]);
    expect(pauseSpans([], 10_000)).toEqual([]);
  });

  it('clamps to the recording', () => {
    expect(pauseSpans([ev(12_000, 'recording-paused')], 10_000)).toEqual([{ startMs: 10_000, endMs: 10_000, open: true }]);
  });
});

describe('trackVolumes', () => {
  const all = ['customer', 'agent', 'supervisor'] as const;
  it('all audible by default; mute silences one', () => {
    expect(trackVolumes(all, new Set(), new Set())).toEqual({ customer: 1, agent: 1, supervisor: 1 });
    expect(trackVolumes(all, new Set(['supervisor']), new Set())).toEqual({ customer: 1, agent: 1, supervisor: 0 });
  });
  it('solo keeps only the soloed; mute wins over solo', () => {
    expect(trackVolumes(all, new Set(), new Set(['agent']))).toEqual({ customer: 0, agent: 1, supervisor: 0 });
    expect(trackVolumes(all, new Set(['agent']), new Set(['agent', 'customer']))).toEqual({ customer: 1, agent: 0, supervisor: 0 });
  });
  it('a solo on a track not in the recording does not silence the others', () => {
    expect(trackVolumes(['customer', 'agent'], new Set(), new Set(['supervisor']))).toEqual({ customer: 1, agent: 1, supervisor: 0 });
  });
  it('toggled adds and removes', () => {
    expect([...toggled(new Set(['a']), 'b')]).toEqual(['a', 'b']);
    expect([...toggled(new Set(['a', 'b']), 'a')]).toEqual(['b']);
  });
});

it('formatMs', () => {
  expect(formatMs(0)).toBe('0:00');
  expect(formatMs(12_999)).toBe('0:12');
  expect(formatMs(754_000)).toBe('12:34');
  expect(formatMs(3_723_000)).toBe('1:02:03');
  expect(formatMs(-5)).toBe('0:00');
  expect(formatMs(Number.NaN)).toBe('0:00');
});

class FakePlayer implements Playable {
  time = 0;
  playing = false;
  rate = 1;
  volume = 1;
  seeks: number[] = [];
  constructor(private readonly duration: number) {}
  getCurrentTime = () => this.time;
  getDuration = () => this.duration;
  isPlaying = () => this.playing;
  setTime = (s: number) => {
    this.time = s;
    this.seeks.push(s);
  };
  play = () => {
    this.playing = true;
  };
  pause = () => {
    this.playing = false;
  };
  setPlaybackRate = (r: number) => {
    this.rate = r;
  };
  setVolume = (v: number) => {
    this.volume = v;
  };
}

describe('SyncGroup', () => {
  const setup = () => {
    let now = 0;
    const g = new SyncGroup(() => now);
    const customer = new FakePlayer(60);
    const agent = new FakePlayer(60.5);
    const supervisor = new FakePlayer(30);
    g.add('customer', customer);
    g.add('agent', agent);
    g.add('supervisor', supervisor);
    return { g, customer, agent, supervisor, tick: (ms: number) => (now += ms) };
  };

  it('the longest track is the master', () => {
    const { g } = setup();
    expect(g.masterName()).toBe('agent');
    g.remove('agent');
    expect(g.masterName()).toBe('customer');
  });

  it('play, pause, seek and rate go to every track', async () => {
    const { g, customer, agent, supervisor } = setup();
    await g.play();
    expect([customer.playing, agent.playing, supervisor.playing]).toEqual([true, true, true]);
    g.seek(10);
    expect([customer.time, agent.time, supervisor.time]).toEqual([10, 10, 10]);
    g.setRate(1.5);
    expect([customer.rate, agent.rate, supervisor.rate]).toEqual([1.5, 1.5, 1.5]);
    g.pause();
    expect([customer.playing, agent.playing, supervisor.playing]).toEqual([false, false, false]);
    expect(g.isPlaying).toBe(false);
  });

  it('seeking past a short track leaves it at its end, paused; seeking back resumes it', async () => {
    const { g, supervisor } = setup();
    await g.play();
    g.seek(45);
    expect(supervisor.time).toBe(30);
    expect(supervisor.playing).toBe(false);
    g.seek(5);
    expect(supervisor.time).toBe(5);
    expect(supervisor.playing).toBe(true);
  });

  it('re-syncs a track drifting more than 50 ms, at most every 500 ms', async () => {
    const { g, customer, agent, supervisor, tick } = setup();
    await g.play();
    tick(1000);
    agent.time = 10;
    customer.time = 10.04;
    supervisor.time = 10.2;
    expect(g.resync()).toEqual(['supervisor']);
    expect(supervisor.time).toBe(10);
    supervisor.time = 10.3;
    tick(100);
    expect(g.resync()).toEqual([]);
    tick(500);
    expect(g.resync()).toEqual(['supervisor']);
    agent.time = 40; // past the supervisor track's end: left alone
    expect(g.resync()).toEqual(['customer']);
  });

  it('volumes apply now and to tracks that join later; a late track joins at the position', async () => {
    const { g, supervisor } = setup();
    g.setVolumes({ supervisor: 0 });
    expect(supervisor.volume).toBe(0);
    g.remove('supervisor');
    g.seek(12);
    await g.play();
    const again = new FakePlayer(30);
    g.add('supervisor', again);
    expect([again.volume, again.time, again.playing]).toEqual([0, 12, true]);
  });

  it('play at the end starts over', async () => {
    const { g, agent, customer } = setup();
    g.seek(60.5);
    expect(customer.time).toBe(60);
    await g.play();
    expect(agent.time).toBe(0);
    expect(customer.playing).toBe(true);
  });
});

it('marker colours: PCI pauses, call state and supervision each have their own', () => {
  const colors = new Set([markerColor('recording-paused'), markerColor('held'), markerColor('mode-changed')]);
  expect(colors.size).toBe(3);
  expect(markerColor('recording-resumed')).toBe(markerColor('recording-paused'));
});
