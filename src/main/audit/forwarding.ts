import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { AuditForwardConfig } from '../../shared/policy/schema';
import { canonicalJson } from './chain';
import { HttpsJsonSender } from './https';
import { mkdirDurable, type AuditLog } from './log';
import { AuditForwarder, type ForwarderOptions, type ForwarderStatus } from './queue';
import { SyslogTcpSender, type AuditSender } from './syslog';

/**
 * Runs the audit log forwarding the signed org policy asks for (`audit.forward`): one
 * AuditForwarder (queue.ts) per destination, each with its own cursor file in `stateDir`.
 *
 * The cursor file is named after where entries go (syslog host:port, the HTTPS URL), not after
 * the kind: a destination new to this machine gets the whole log from its first entry, and one
 * that comes back later resumes where it stopped. Settings that do not change where entries go
 * (appName, facility, sdId, ca) restart the forwarder on the same cursor.
 *
 * `update` applies a policy: unchanged destinations keep running, changed ones are stopped and
 * started again, removed ones are stopped. Nothing here throws into the caller; problems become
 * status lines (`report`) and the forwarders retry by themselves. A forwarder whose loop ended on
 * an error (log or cursor unreadable) is started again after `restartMs`.
 */

export type ForwardKind = 'syslog' | 'https';

export interface AuditForwardingOptions {
  log: AuditLog;
  /** Folder for the cursor files, e.g. `<userData>/audit`. */
  stateDir: string;
  /** Where status changes go (started, failing, delivering again, paused, stopped). Default console.log. */
  report?: (line: string) => void;
  /** Passed on to each forwarder (tests make polling and back-off quick). */
  forwarder?: Pick<ForwarderOptions, 'pollMs' | 'backoff' | 'batchSize'>;
  /** Delay before starting again a forwarder that stopped on an error. Default 60 s. */
  restartMs?: number;
}

interface Destination {
  kind: ForwardKind;
  /** The kind's config as canonical JSON: equal means leave it running. */
  config: string;
  description: string;
  cursorPath: string;
  forwarder: AuditForwarder | null;
  /** Why it could not be started (no forwarder). */
  problem?: string;
  /** The last status class reported, so a retry loop does not write a line per attempt. */
  reported: string;
  restartTimer?: ReturnType<typeof setTimeout>;
}

const kinds: readonly ForwardKind[] = ['syslog', 'https'];
/** queue.ts marks a loop that ended on an error (not a pause it recovers from) with this. */
const loopEndedPrefix = 'forwarding stopped:';

export class AuditForwarding {
  private readonly running = new Map<ForwardKind, Destination>();
  private queue: Promise<void> = Promise.resolve();
  private closed = false;
  private readonly report: (line: string) => void;

  constructor(private readonly opts: AuditForwardingOptions) {
    this.report = opts.report ?? ((line) => console.log(line));
  }

  /** Applies the policy's `audit.forward` (undefined: forward nowhere). Calls apply in order; never rejects. */
  update(forward: AuditForwardConfig | undefined): Promise<void> {
    const run = this.queue.then(() => this.apply(forward));
    this.queue = run.catch((e: unknown) => this.report(`Audit forwarding: could not apply the policy (${(e as Error)?.message ?? e}).`));
    return this.queue;
  }

  /** Stops every forwarder (after its send in flight); later updates are ignored. */
  close(): Promise<void> {
    const run = this.queue.then(async () => {
      this.closed = true;
      for (const kind of kinds) await this.stop(kind);
    });
    this.queue = run.catch(() => undefined);
    return this.queue;
  }

  /** One line per destination, for logs and support: where, and how far it got or what is wrong. */
  statusLines(): string[] {
    return kinds.flatMap((k) => {
      const d = this.running.get(k);
      return d ? [`Audit forwarding to ${d.description}: ${d.forwarder ? describe(d.forwarder.status()) : `not started: ${d.problem}`}`] : [];
    });
  }

  /**
   * The newest entry every destination has received (all of them when forwarding nowhere): the
   * retention policy removes nothing past it. A destination that is not running counts as none.
   */
  deliveredToAll(): number {
    let min = Number.MAX_SAFE_INTEGER;
    for (const d of this.running.values()) min = Math.min(min, d.forwarder?.status().forwardedSeq ?? 0);
    return min;
  }

  /** The forwarders' own statuses (for tests and diagnostics). */
  statuses(): ForwarderStatus[] {
    return kinds.flatMap((k) => {
      const f = this.running.get(k)?.forwarder;
      return f ? [f.status()] : [];
    });
  }

  private async apply(forward: AuditForwardConfig | undefined): Promise<void> {
    if (this.closed) return;
    const wanted = new Map<ForwardKind, { config: string; identity: string; sender: () => AuditSender }>();
    if (forward?.syslog) {
      const s = forward.syslog;
      wanted.set('syslog', {
        config: canonicalJson(s),
        identity: `syslog ${s.host.toLowerCase()}:${s.port}`,
        sender: () => new SyslogTcpSender({ host: s.host, port: s.port, appName: s.appName, facility: s.facility, sdId: s.sdId }),
      });
    }
    if (forward?.https) {
      const h = forward.https;
      wanted.set('https', {
        config: canonicalJson(h),
        identity: `https ${normalUrl(h.url)}`,
        sender: () => new HttpsJsonSender({ url: h.url, ca: h.ca }),
      });
    }
    for (const kind of kinds) {
      const now = this.running.get(kind);
      const want = wanted.get(kind);
      if (now && want && now.config === want.config) continue;
      if (now) await this.stop(kind);
      if (want) await this.start(kind, want.config, want.identity, want.sender);
    }
  }

  private async start(kind: ForwardKind, config: string, identity: string, makeSender: () => AuditSender): Promise<void> {
    const cursorPath = join(this.opts.stateDir, `forward-${kind}-${createHash('sha256').update(identity).digest('hex').slice(0, 16)}.cursor.json`);
    const d: Destination = { kind, config, description: identity, cursorPath, forwarder: null, reported: '' };
    this.running.set(kind, d);
    let sender: AuditSender;
    try {
      sender = makeSender();
      await mkdirDurable(this.opts.stateDir);
    } catch (e) {
      // The schema should have refused such a config; say so rather than forward nowhere silently.
      d.problem = (e as Error).message;
      this.report(`Audit forwarding to ${identity}: not started: ${d.problem}`);
      return;
    }
    d.description = sender.description;
    d.forwarder = this.makeForwarder(d, sender);
    d.forwarder.start();
    this.report(`Audit forwarding to ${d.description}: started (cursor ${cursorPath}).`);
  }

  private makeForwarder(d: Destination, sender: AuditSender): AuditForwarder {
    const f: AuditForwarder = new AuditForwarder({
      ...this.opts.forwarder,
      logPath: this.opts.log.path,
      cursorPath: d.cursorPath,
      sender,
      log: this.opts.log,
      onStatus: (s) => this.onStatus(d, f, sender, s),
    });
    return f;
  }

  private onStatus(d: Destination, f: AuditForwarder, sender: AuditSender, s: ForwarderStatus): void {
    if (d.forwarder !== f || !s.running) return;
    const cls = s.paused ? `paused ${s.paused}` : s.failures > 0 ? 'failing' : 'ok';
    if (cls !== d.reported) {
      // First failure, a pause, and getting through again; not every retry.
      if (cls !== 'ok' || d.reported !== '') this.report(`Audit forwarding to ${d.description}: ${describe(s)}`);
      d.reported = cls;
    }
    if (s.paused?.startsWith(loopEndedPrefix) && !d.restartTimer) {
      d.restartTimer = setTimeout(() => {
        d.restartTimer = undefined;
        this.queue = this.queue.then(() => this.restart(d, f, sender)).catch(() => undefined);
      }, this.opts.restartMs ?? 60_000);
      d.restartTimer.unref?.();
    }
  }

  private async restart(d: Destination, old: AuditForwarder, sender: AuditSender): Promise<void> {
    if (this.closed || this.running.get(d.kind) !== d || d.forwarder !== old) return;
    await old.stop();
    // `reported` is kept: the same problem again is not a new line every restartMs.
    d.forwarder = this.makeForwarder(d, sender);
    d.forwarder.start();
  }

  private async stop(kind: ForwardKind): Promise<void> {
    const d = this.running.get(kind);
    if (!d) return;
    this.running.delete(kind);
    if (d.restartTimer) clearTimeout(d.restartTimer);
    const f = d.forwarder;
    d.forwarder = null;
    if (!f) return;
    try {
      await f.stop();
    } catch {
      // stop() only waits for a loop that already catches its errors.
    }
    this.report(`Audit forwarding to ${d.description}: stopped at entry ${f.status().forwardedSeq}.`);
  }
}

function describe(s: ForwarderStatus): string {
  if (s.paused) return s.paused;
  if (s.failures > 0) return `entries after ${s.forwardedSeq} not delivered yet (${s.failures} failed attempts, retrying): ${s.lastError ?? 'unknown error'}`;
  if (s.lastError) return `forwarded up to entry ${s.forwardedSeq}; ${s.lastError}`;
  return `forwarded up to entry ${s.forwardedSeq}${s.running ? '' : ' (stopped)'}`;
}

/** The URL as the sender will use it (host lower-cased, default port dropped), so spelling does not reset the cursor. */
function normalUrl(url: string): string {
  try {
    return new URL(url).href;
  } catch {
    return url;
  }
}
