import type { WhisperlineBridge } from '../../shared/bridge';
import { recordingPlan } from '../../shared/recording/plan';
import type { AudioEngine } from '../audio/engine';
import type { Phone } from '../sip/phone';
import { notify, patchCall, phoneStore, type CallView } from '../store/phoneState';
import { CallRecorder } from './callRecorder';
import { callEvents } from './timelineEvents';

/** Short random folder name for a recording (no personal data in a path). */
function newRecordingId(): string {
  const b = crypto.getRandomValues(new Uint8Array(12));
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

/**
 * Records the agent's customer calls the signed policy says to record: starts a recorder when a
 * call is answered, feeds its timeline from the store's changes to that call, stops it when the
 * call ends. A recording that fails tells the agent once; the call is never touched.
 */
export class RecordingController {
  private readonly recorders = new Map<string, CallRecorder>();
  private readonly starting = new Set<string>();
  private last = new Map<string, CallView>();

  constructor(
    private readonly bridge: WhisperlineBridge,
    private readonly audio: AudioEngine,
    private readonly phone: Phone,
  ) {
    phoneStore.subscribe(() => this.onStore());
  }

  private onStore(): void {
    const calls = phoneStore.get().calls.filter((c) => c.kind === 'call');
    const now = new Map(calls.map((c) => [c.id, c]));
    for (const c of calls) {
      const before = this.last.get(c.id);
      if (c.answeredAt !== null && !before?.answeredAt && !this.recorders.has(c.id) && !this.starting.has(c.id)) void this.begin(c);
      const rec = this.recorders.get(c.id);
      if (rec) for (const ev of callEvents(before, c)) void rec.mark(ev.kind, ev.detail);
    }
    for (const [id] of this.last) if (!now.has(id)) void this.finish(id);
    this.last = now;
  }

  private async begin(call: CallView): Promise<void> {
    const { orgPolicy, settings } = phoneStore.get();
    const account = settings?.account;
    if (!account || call.consultFor) return;
    const agent = `${account.extension}@${account.domain}`.toLowerCase();
    const plan = recordingPlan(orgPolicy?.state === 'active' ? orgPolicy.policy : null, agent);
    if (!plan.record) return;
    const source = this.phone.recordingSource(call.id);
    if (!source) return;
    this.starting.add(call.id);
    patchCall(call.id, { recording: { state: 'recording', mayPause: plan.pciPause, notice: plan.notifyAgent, reason: null } });
    const started = await CallRecorder.start(
      {
        bridge: this.bridge,
        tap: (tracks, onChunk) => this.audio.recordCall(source.legId, tracks, onChunk),
        onFailure: (reason) => this.failed(call.id, reason),
      },
      {
        id: newRecordingId(),
        callId: source.sipCallId,
        agent,
        remote: (call.remoteName ? `${call.remoteName} <${call.remoteUri}>` : call.remoteUri).slice(0, 200),
        direction: call.direction,
        startedAt: new Date().toISOString(),
        tracks: plan.tracks,
        coachingStorage: plan.coachingStorage,
        retentionDays: plan.retentionDays,
        coachingRetentionDays: plan.coachingRetentionDays,
        agentNotified: plan.notifyAgent,
      },
      this.audio.ctx.sampleRate,
    );
    this.starting.delete(call.id);
    if ('error' in started) return this.failed(call.id, started.error);
    if (!this.last.has(call.id)) return void started.stop(); // the call ended while starting
    this.recorders.set(call.id, started);
    // What happened on the call while the recording was being set up.
    const current = this.last.get(call.id);
    if (current?.supervisedBy) void started.mark('supervisor-joined', `${current.supervisedBy.supervisor} (${current.supervisedBy.mode})`);
  }

  private failed(callId: string, reason: string): void {
    const view = phoneStore.get().calls.find((c) => c.id === callId);
    if (view) patchCall(callId, { recording: { state: 'failed', mayPause: false, notice: view.recording?.notice ?? false, reason } });
    this.phone.supervision.recording.changed(callId);
    notify('error', `This call is no longer being recorded: ${reason}. The call goes on; what was recorded so far is kept.`);
  }

  private async finish(callId: string): Promise<void> {
    const rec = this.recorders.get(callId);
    this.recorders.delete(callId);
    await rec?.stop();
  }

  /** Diagnostics: each running recording's id and its first frame on the audio clock. */
  clocks(): Array<{ id: string; firstFrame: number | null; contextRate: number }> {
    return [...this.recorders.values()].map((r) => ({ id: r.meta.id, firstFrame: r.startFrame, contextRate: this.audio.ctx.sampleRate }));
  }

  /** PCI pause / resume by the agent (when the policy allows it). */
  setPaused(callId: string, paused: boolean): void {
    const rec = this.recorders.get(callId);
    const view = phoneStore.get().calls.find((c) => c.id === callId);
    if (!rec || !view?.recording?.mayPause || rec.failure) return;
    rec.setPaused(paused);
    patchCall(callId, { recording: { ...view.recording, state: paused ? 'paused' : 'recording' } });
    this.phone.supervision.recording.changed(callId);
  }
}
