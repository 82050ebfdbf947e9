/**
 * The challenges an agent's app has sent on supervision legs that passed the join checks and await
 * their answer (shared/supervision/challenge.ts). Kept in memory on purpose: a challenge outlives
 * neither its ceiling nor the process that made it, so nothing captured before a restart can answer
 * one made after it. Each is taken once.
 */
import type { SupervisionMode } from '../supervision/modes';
import { newChallenge } from '../supervision/challenge';

/** How long the supervisor's app has to answer. The agent's app hangs up the leg sooner (proofCeilingMs). */
export const challengeTtlMs = 15_000;

export interface PendingJoin {
  sup: string;
  agent: string;
  callId: string;
  mode: SupervisionMode;
  /** The join statement's signer: the answer must be signed by the same key. */
  publicKey: string;
}

export class ChallengeBook {
  private readonly pending = new Map<string, PendingJoin & { until: number }>();
  constructor(readonly maxPending = 64) {}

  get size(): number {
    return this.pending.size;
  }

  /** A new challenge for this join; the oldest pending one is dropped past `maxPending` (a flood only stalls itself). */
  issue(join: PendingJoin, nowMs: number): string {
    for (const [c, p] of this.pending) if (p.until < nowMs) this.pending.delete(c);
    while (this.pending.size >= this.maxPending) this.pending.delete(this.pending.keys().next().value as string);
    const challenge = newChallenge();
    this.pending.set(challenge, { ...join, until: nowMs + challengeTtlMs });
    return challenge;
  }

  /** The join a challenge was made for, once; null if unknown, answered already, or expired. */
  take(challenge: string, nowMs: number): PendingJoin | null {
    const p = this.pending.get(challenge);
    this.pending.delete(challenge);
    if (!p || p.until < nowMs) return null;
    const { until: _until, ...join } = p;
    return join;
  }
}
