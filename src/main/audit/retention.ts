import type { AuditLog, PruneReport } from './log';

/**
 * Keeps the audit log to the signed policy's `audit.retentionDays`: entries recorded longer ago
 * are removed (AuditLog.prune leaves a `retention` entry, so the log still verifies), but never one
 * that a forwarding destination has not received yet: nothing is lost while the pipeline is
 * offline. Runs when a policy is applied and then every `intervalMs`. Until a verified policy is
 * applied nothing is removed; after one expires, its rule stays (as its forwarding does). Never
 * throws; what it did or could not do goes to `report`.
 */
export interface AuditRetentionOptions {
  log: AuditLog;
  /** The newest entry every forwarding destination has received (AuditForwarding.deliveredToAll). */
  deliveredToAll: () => number;
  now?: () => Date;
  /** Default 6 hours. */
  intervalMs?: number;
  report?: (line: string) => void;
}

const dayMs = 86_400_000;

export function retentionCutoff(now: Date, retentionDays: number): Date {
  return new Date(now.getTime() - retentionDays * dayMs);
}

export class AuditRetention {
  private days: number | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;
  private running: Promise<PruneReport | null> = Promise.resolve(null);
  private lastHeldBack = 0;
  private readonly report: (line: string) => void;

  constructor(private readonly opts: AuditRetentionOptions) {
    this.report = opts.report ?? ((line) => console.log(line));
  }

  /** The policy's retentionDays (null: no verified policy, keep everything); runs once now. */
  apply(retentionDays: number | null): Promise<PruneReport | null> {
    this.days = retentionDays;
    if (retentionDays !== null && !this.timer) {
      this.timer = setInterval(() => void this.runOnce(), this.opts.intervalMs ?? 6 * 3_600_000);
      this.timer.unref?.();
    }
    return this.runOnce();
  }

  /** One pass (runs are serialised). Resolves null when there is no policy or the pass failed. */
  runOnce(): Promise<PruneReport | null> {
    this.running = this.running.then(() => this.pass());
    return this.running;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private async pass(): Promise<PruneReport | null> {
    const days = this.days;
    if (days === null) return null;
    const before = retentionCutoff(this.opts.now?.() ?? new Date(), days);
    try {
      const r = await this.opts.log.prune(before, this.opts.deliveredToAll());
      if (r.removed > 0) this.report(`Audit retention: removed ${r.removed} entries recorded before ${before.toISOString()} (the org policy keeps ${days} days).`);
      if (r.heldBack > 0 && r.heldBack !== this.lastHeldBack) {
        this.report(`Audit retention: keeping ${r.heldBack} entries past ${days} days until every forwarding destination has received them.`);
      }
      this.lastHeldBack = r.heldBack;
      return r;
    } catch (e) {
      this.report(`Audit retention: nothing removed: ${(e as Error).message}`);
      return null;
    }
  }
}
