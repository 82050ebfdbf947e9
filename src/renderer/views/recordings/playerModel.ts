/**
 * The QA player's logic, apart from React and wavesurfer: what the timeline shows (markers, PCI
 * pause spans), who is audible (mute / solo), and how the per-track players are kept on one clock.
 */
import type { TimelineEvent, TimelineKind, TrackName } from '../../../shared/recording/types';

export const playbackRates = [0.75, 1, 1.25, 1.5, 2] as const;

/** A non-master track further than this from the master is put back on the master's position. */
export const maxDriftMs = 50;
/** A drifting track is re-seeked at most this often (a seek itself costs a few ms of audio). */
export const resyncIntervalMs = 500;

export const trackLabels: Record<TrackName, string> = {
  customer: 'Customer',
  agent: 'Agent',
  supervisor: 'Supervisor (coaching)',
};

/** Short labels drawn on the waveform; `mode-changed` shows the mode itself ("whisper"). */
const kindLabels: Record<TimelineKind, string> = {
  'recording-started': 'start',
  'supervisor-joined': 'joined',
  'mode-changed': 'mode',
  'supervisor-left': 'left',
  prompt: 'prompt',
  'talk-back-on': 'talk-back',
  'talk-back-off': 'talk-back off',
  takeover: 'takeover',
  'recording-paused': 'paused',
  'recording-resumed': 'rec resumed',
  held: 'held',
  resumed: 'unheld',
  transferred: 'transferred',
  'recording-error': 'error',
  ended: 'ended',
};

export const waveColors: Record<TrackName, [wave: string, progress: string]> = {
  customer: ['#90caf9', '#1565c0'],
  agent: ['#a5d6a7', '#2e7d32'],
  supervisor: ['#ce93d8', '#7b1fa2'],
};

export function markerColor(kind: TimelineKind): string {
  if (kind === 'recording-paused' || kind === 'recording-resumed' || kind === 'recording-error') return '#e65100';
  if (kind === 'held' || kind === 'resumed' || kind === 'transferred' || kind === 'ended') return '#546e7a';
  return '#7b1fa2'; // supervision: joined, mode, prompts, talk-back, takeover
}

export interface Marker {
  kind: TimelineKind;
  atMs: number;
  label: string;
  /** Longer text for a tooltip (who joined, the prompt's text...). */
  title: string;
}

export interface PauseSpan {
  startMs: number;
  endMs: number;
  /** No `recording-resumed` followed: the pause runs to the end of the recording. */
  open: boolean;
}

export function markerLabel(event: Pick<TimelineEvent, 'kind' | 'detail'>): string {
  const detail = event.detail?.trim();
  if (event.kind === 'mode-changed' && detail) return detail.length > 16 ? `${detail.slice(0, 15)}…` : detail;
  return kindLabels[event.kind] ?? event.kind;
}

/** Markers in time order (stable for equal times), clamped to the recording. */
export function markersFrom(timeline: readonly TimelineEvent[], durationMs: number): Marker[] {
  const end = Math.max(0, durationMs);
  return timeline
    .map((e, i) => ({ e, i }))
    .sort((a, b) => a.e.atMs - b.e.atMs || a.i - b.i)
    .map(({ e }) => ({
      kind: e.kind,
      atMs: Math.min(Math.max(0, e.atMs), end),
      label: markerLabel(e),
      title: e.detail ? `${kindLabels[e.kind] ?? e.kind}: ${e.detail}` : (kindLabels[e.kind] ?? e.kind),
    }));
}

/**
 * Where a marker is drawn on a waveform (ms): wavesurfer's regions plugin leaves out a marker on
 * the waveform's last pixel, so one at the very end (the call's "ended") is drawn just before it
 * (0.5 % of its length: off the last pixel on any waveform wider than 100 px). A click on it still
 * seeks to the marker's own time.
 */
export function drawnAtMs(atMs: number, endMs: number): number {
  return Math.max(0, Math.min(atMs, endMs * 0.995));
}

/**
 * Pairs `recording-paused` with the next `recording-resumed`. A second pause while paused and a
 * resume without a pause are ignored; a pause never resumed runs to the end (a crash mid-pause).
 */
export function pauseSpans(timeline: readonly TimelineEvent[], durationMs: number): PauseSpan[] {
  const end = Math.max(0, durationMs);
  const clamp = (ms: number) => Math.min(Math.max(0, ms), end);
  const events = timeline
    .map((e, i) => ({ e, i }))
    .filter(({ e }) => e.kind === 'recording-paused' || e.kind === 'recording-resumed')
    .sort((a, b) => a.e.atMs - b.e.atMs || a.i - b.i);
  const spans: PauseSpan[] = [];
  let openAt: number | null = null;
  for (const { e } of events) {
    if (e.kind === 'recording-paused') {
      if (openAt === null) openAt = clamp(e.atMs);
    } else if (openAt !== null) {
      spans.push({ startMs: openAt, endMs: Math.max(openAt, clamp(e.atMs)), open: false });
      openAt = null;
    }
  }
  if (openAt !== null) spans.push({ startMs: openAt, endMs: Math.max(openAt, end), open: true });
  return spans;
}

/** Mute always silences; when any track is soloed only the soloed (and unmuted) ones are heard. */
export function trackVolumes(tracks: readonly TrackName[], muted: ReadonlySet<TrackName>, soloed: ReadonlySet<TrackName>): Record<TrackName, number> {
  const anySolo = tracks.some((t) => soloed.has(t));
  const out = { customer: 0, agent: 0, supervisor: 0 } as Record<TrackName, number>;
  for (const t of tracks) out[t] = !muted.has(t) && (!anySolo || soloed.has(t)) ? 1 : 0;
  return out;
}

export function toggled<T>(set: ReadonlySet<T>, item: T): Set<T> {
  const next = new Set(set);
  if (!next.delete(item)) next.add(item);
  return next;
}

/** 0:07, 12:34, 1:02:03. */
export function formatMs(ms: number): string {
  const s = Math.max(0, Math.floor((Number.isFinite(ms) ? ms : 0) / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** What the sync group needs of a track's player (a WaveSurfer instance fits; times in seconds). */
export interface Playable {
  getCurrentTime(): number;
  getDuration(): number;
  isPlaying(): boolean;
  setTime(seconds: number): void;
  play(): Promise<void> | void;
  pause(): void;
  setPlaybackRate(rate: number, preservePitch?: boolean): void;
  setVolume(volume: number): void;
}

/**
 * The tracks as one player. The master is the longest track (so playback runs to the end of the
 * call even when a track is short after a crash); every command goes to all tracks, and `resync`
 * (called on the master's time updates) puts back any track that drifted more than 50 ms. A track
 * shorter than the position is left finished rather than seeked past its end.
 */
export class SyncGroup<Name extends string = TrackName> {
  private members = new Map<Name, Playable>();
  private lastResync = new Map<Name, number>();
  private rate = 1;
  private volumes = new Map<Name, number>();
  private playing = false;

  constructor(private readonly now: () => number = () => Date.now()) {}

  get names(): Name[] {
    return [...this.members.keys()];
  }

  get isPlaying(): boolean {
    return this.playing;
  }

  masterName(): Name | null {
    let best: Name | null = null;
    let bestDuration = -1;
    for (const [name, p] of this.members) {
      const d = p.getDuration() || 0;
      if (d > bestDuration) [best, bestDuration] = [name, d];
    }
    return best;
  }

  private master(): Playable | null {
    const name = this.masterName();
    return name === null ? null : (this.members.get(name) ?? null);
  }

  /** Current position in seconds (the master's). */
  position(): number {
    return this.master()?.getCurrentTime() ?? 0;
  }

  duration(): number {
    return this.master()?.getDuration() ?? 0;
  }

  /** A track that finished loading joins at the group's position, rate, volume and play state. */
  add(name: Name, p: Playable): void {
    const at = this.members.size > 0 ? this.position() : 0;
    this.members.set(name, p);
    p.setPlaybackRate(this.rate, true);
    p.setVolume(this.volumes.get(name) ?? 1);
    if (at > 0 && at < p.getDuration()) p.setTime(at);
    if (this.playing && at < p.getDuration()) void Promise.resolve(p.play()).catch(() => undefined);
  }

  remove(name: Name): void {
    this.members.get(name)?.pause();
    this.members.delete(name);
    this.lastResync.delete(name);
  }

  async play(): Promise<void> {
    const master = this.master();
    if (!master) return;
    let at = master.getCurrentTime();
    if (at >= master.getDuration() - 0.01) {
      at = 0; // at the end: play again from the start
      this.seek(0);
    }
    this.playing = true;
    await Promise.all(
      [...this.members.values()].map((p) => {
        if (at >= p.getDuration()) return undefined;
        if (Math.abs(p.getCurrentTime() - at) * 1000 > maxDriftMs) p.setTime(at);
        return Promise.resolve(p.play()).catch(() => undefined);
      }),
    );
  }

  pause(): void {
    this.playing = false;
    for (const p of this.members.values()) p.pause();
    this.alignAll();
  }

  seek(seconds: number): void {
    const at = Math.max(0, Math.min(seconds, this.duration() || seconds));
    for (const [name, p] of this.members) {
      const d = p.getDuration();
      if (at < d) {
        p.setTime(at);
        if (this.playing && !p.isPlaying()) void Promise.resolve(p.play()).catch(() => undefined);
      } else {
        p.setTime(d);
        p.pause();
      }
      this.lastResync.set(name, this.now());
    }
  }

  setRate(rate: number): void {
    this.rate = rate;
    for (const p of this.members.values()) p.setPlaybackRate(rate, true);
  }

  setVolumes(volumes: Partial<Record<Name, number>>): void {
    for (const [name, v] of Object.entries(volumes) as [Name, number][]) {
      this.volumes.set(name, v);
      this.members.get(name)?.setVolume(v);
    }
  }

  /** Puts drifting tracks back on the master. Returns the names that were re-seeked. */
  resync(): Name[] {
    const masterName = this.masterName();
    if (masterName === null) return [];
    const at = this.members.get(masterName)!.getCurrentTime();
    const now = this.now();
    const fixed: Name[] = [];
    for (const [name, p] of this.members) {
      if (name === masterName || at >= p.getDuration()) continue;
      if (Math.abs(p.getCurrentTime() - at) * 1000 <= maxDriftMs) continue;
      if (now - (this.lastResync.get(name) ?? -Infinity) < resyncIntervalMs) continue;
      p.setTime(at);
      if (this.playing && !p.isPlaying()) void Promise.resolve(p.play()).catch(() => undefined);
      this.lastResync.set(name, now);
      fixed.push(name);
    }
    return fixed;
  }

  /** The master finished: everyone stops. */
  finished(): void {
    this.playing = false;
    for (const p of this.members.values()) p.pause();
  }

  private alignAll(): void {
    const at = this.position();
    for (const p of this.members.values()) if (at < p.getDuration() && Math.abs(p.getCurrentTime() - at) * 1000 > maxDriftMs) p.setTime(at);
  }
}
