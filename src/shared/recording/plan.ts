/**
 * What the signed policy says about recording one agent's call, and what retention may delete.
 * Pure: the agent's app asks it when a call is answered; the host's sweep asks it before deleting.
 */
import type { OrgPolicy } from '../policy/schema';
import { teamsOf } from '../policy/signedPolicy';
import type { RecordingMeta, TrackName } from './types';

export type RecordingPlan =
  | {
      record: true;
      tracks: TrackName[];
      coachingStorage: RecordingMeta['coachingStorage'];
      retentionDays: number;
      coachingRetentionDays: number;
      /** The agent may pause it (card numbers). */
      pciPause: boolean;
      notifyAgent: boolean;
    }
  | { record: false; why: string };

/** Recording needs a policy that says so: without one (or with `calls: "none"`) nothing is recorded. */
export function recordingPlan(policy: OrgPolicy | null, agentId: string): RecordingPlan {
  if (!policy) return { record: false, why: 'no org policy' };
  const r = policy.recording;
  if (r.calls === 'none') return { record: false, why: 'the policy records no calls' };
  if (r.calls !== '*') {
    const mine = new Set(teamsOf(policy, agentId).map((t) => t.id));
    if (!r.calls.some((id) => mine.has(id))) return { record: false, why: 'the policy does not record this agent’s teams' };
  }
  const tracks: TrackName[] = r.coachingTrack === 'never' ? ['customer', 'agent'] : ['customer', 'agent', 'supervisor'];
  return {
    record: true,
    tracks,
    coachingStorage: r.coachingTrack === 'with-call' || r.coachingTrack === 'never' ? 'with-call' : 'separate',
    retentionDays: r.retentionDays,
    coachingRetentionDays: r.coachingRetentionDays ?? r.retentionDays,
    pciPause: r.pciPause,
    notifyAgent: r.notifyAgent,
  };
}

/** A recording named in the policy's legal hold (by its Call-ID or its agent) is never deleted. */
export function underLegalHold(policy: OrgPolicy | null, meta: Pick<RecordingMeta, 'callId' | 'agent'>): boolean {
  const held = policy?.recording.legalHold ?? [];
  const agent = meta.agent.toLowerCase();
  return held.some((h) => h === meta.callId || h.toLowerCase() === agent);
}
