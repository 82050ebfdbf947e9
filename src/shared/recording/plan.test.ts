import { describe, expect, it } from 'vitest';
import example from '../../../resources/policy/example-policy.json';
import { parsePolicy, type OrgPolicy } from '../policy/schema';
import { recordingPlan, underLegalHold } from './plan';

function policy(recording: Record<string, unknown>): OrgPolicy {
  const p = structuredClone(example) as any;
  p.recording = { ...p.recording, ...recording };
  const r = parsePolicy(p);
  if (!r.ok) throw new Error(r.reason);
  return r.policy;
}
const agent = (example as any).teams[0].agents[0] as string;
const otherTeam = (example as any).teams[1].id as string;

describe('what the policy says about recording a call', () => {
  it('records nothing without a policy, or when the policy does not say so (the default)', () => {
    expect(recordingPlan(null, agent)).toMatchObject({ record: false });
    expect(recordingPlan(policy({}), agent)).toEqual({ record: false, why: 'the policy records no calls' });
  });

  it('records every agent, or only the agents of the teams listed', () => {
    expect(recordingPlan(policy({ calls: '*' }), agent)).toMatchObject({ record: true, tracks: ['customer', 'agent', 'supervisor'], coachingStorage: 'with-call', retentionDays: 90 });
    expect(recordingPlan(policy({ calls: [(example as any).teams[0].id] }), agent)).toMatchObject({ record: true });
    expect(recordingPlan(policy({ calls: [otherTeam] }), agent)).toMatchObject({ record: false });
  });

  it('drops the coaching track, or keeps it apart with its own retention', () => {
    expect(recordingPlan(policy({ calls: '*', coachingTrack: 'never' }), agent)).toMatchObject({ tracks: ['customer', 'agent'] });
    expect(recordingPlan(policy({ calls: '*', coachingTrack: 'separate', coachingRetentionDays: 7 }), agent)).toMatchObject({ coachingStorage: 'separate', coachingRetentionDays: 7 });
    // The older name of "separate"; without its own retention, the call's.
    expect(recordingPlan(policy({ calls: '*', coachingTrack: 'always' }), agent)).toMatchObject({ coachingStorage: 'separate', coachingRetentionDays: 90 });
  });

  it('refuses a policy that records a team that does not exist', () => {
    const p = structuredClone(example) as any;
    p.recording.calls = ['no-such-team'];
    expect(parsePolicy(p)).toEqual({ ok: false, reason: 'recording.calls.0: unknown team "no-such-team"' });
  });

  it('keeps what a legal hold names, by Call-ID or by agent', () => {
    const p = policy({ calls: '*', legalHold: ['abc@pbx', agent.toUpperCase()] });
    expect(underLegalHold(p, { callId: 'abc@pbx', agent: 'x@y' })).toBe(true);
    expect(underLegalHold(p, { callId: 'other', agent })).toBe(true);
    expect(underLegalHold(p, { callId: 'other', agent: 'x@y' })).toBe(false);
    expect(underLegalHold(null, { callId: 'abc@pbx', agent })).toBe(false);
  });
});
