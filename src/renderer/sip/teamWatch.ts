import { Messager, Subscriber, SubscriptionState, UserAgent, type Notification } from 'sip.js';
import { reconnectDelayMs } from '../../shared/backoff';
import type { OrgPolicy } from '../../shared/policy/schema';
import { agentsInScope, personOf, teamsOf } from '../../shared/policy/signedPolicy';
import { parseAgentState } from '../../shared/presence/agentState';
import { directContentType, stateQueryBody } from '../../shared/presence/contentTypes';
import { applyDialogInfo, callActivity, parseDialogInfo, type DialogEntry } from '../../shared/presence/dialogInfo';
import { boardStore, patchRow, type BoardRow } from '../store/boardState';

export interface TeamWatchDeps {
  ua(): UserAgent | null;
  /** This desk, `user@domain`. */
  me(): string;
}

interface Watched {
  dialog: Subscriber | null;
  presence: Subscriber | null;
  /** What the current dialog subscription has said (versions count per subscription). */
  dialogs: { version: number; dialogs: DialogEntry[] } | null;
  /** `at` of the newest state document from the agent's own app. */
  stateAt: string;
  retry: ReturnType<typeof setTimeout> | null;
  attempt: number;
  /** The agent's app was asked for its state on this presence subscription. */
  asked: boolean;
}

const expires = 600;
/** SUBSCRIBEs in flight at once: a board of hundreds must not flood the server at start. */
const maxInFlight = 16;

/**
 * The supervisor's side of the team board: for every agent the org policy lets this supervisor
 * supervise, a dialog-event subscription (RFC 4235: calls ringing, answered, ended) and a
 * presence subscription (signed in; the agent app's own state where the server relays it).
 * Subscriptions refresh before they expire (SIP.js), and are made again when the server ends one
 * (a restart answers a refresh with 481) or the connection comes back. Updates go to boardStore.
 */
export class TeamWatch {
  private readonly watched = new Map<string, Watched>();
  private queue: Array<() => Promise<void>> = [];
  private inFlight = 0;

  constructor(private readonly deps: TeamWatchDeps) {}

  /** The agents of the policy in force (none without one); rows for the others go. */
  watch(policy: OrgPolicy | null): void {
    const me = this.deps.me();
    const agents = policy && me ? agentsInScope(policy, me).filter((a) => a !== me) : [];
    const wanted = new Set(agents);
    for (const agent of [...this.watched.keys()]) if (!wanted.has(agent)) this.drop(agent);
    const rows: Record<string, BoardRow> = {};
    for (const agent of agents) {
      const old = boardStore.get().rows[agent];
      rows[agent] = {
        ...(old ?? { signedIn: null, availability: null, activity: { phase: 'idle' }, callSince: null, supervision: null, hand: null, watch: { state: 'subscribing' }, changedAt: performance.now() }),
        agent,
        name: personOf(policy!, agent)?.name ?? agent,
        teams: teamsOf(policy!, agent).map((t) => t.name),
      };
    }
    boardStore.update(() => ({ rows }));
    for (const agent of agents) if (!this.watched.has(agent)) this.start(agent);
  }

  /** The connection came back (the server may have restarted): subscribe everything again. */
  restart(): void {
    for (const agent of this.watched.keys()) this.resubscribe(agent, 0);
  }

  stop(): void {
    for (const agent of [...this.watched.keys()]) this.drop(agent);
    boardStore.update(() => ({ rows: {} }));
  }

  /**
   * A PIDF MESSAGE from an agent's app (where the PBX has no presence server); `agent` is the
   * sender as the PBX presented it. False: not an agent on this board.
   */
  onAgentMessage(agent: string, body: string): boolean {
    if (!this.watched.has(agent)) return false;
    this.applyPresence(agent, body, true);
    return true;
  }

  private start(agent: string): void {
    this.watched.set(agent, { dialog: null, presence: null, dialogs: null, stateAt: '', retry: null, attempt: 0, asked: false });
    this.enqueue(() => this.subscribe(agent));
  }

  private drop(agent: string): void {
    const w = this.watched.get(agent);
    if (!w) return;
    this.watched.delete(agent);
    if (w.retry) clearTimeout(w.retry);
    for (const s of [w.dialog, w.presence]) if (s && s.state !== SubscriptionState.Terminated) void s.unsubscribe().catch(() => undefined);
  }

  private enqueue(task: () => Promise<void>): void {
    this.queue.push(task);
    this.pump();
  }

  private pump(): void {
    while (this.inFlight < maxInFlight && this.queue.length) {
      const task = this.queue.shift()!;
      this.inFlight++;
      void task().finally(() => {
        this.inFlight--;
        this.pump();
      });
    }
  }

  private resubscribe(agent: string, delayMs: number): void {
    const w = this.watched.get(agent);
    if (!w || w.retry) return;
    w.retry = setTimeout(() => {
      w.retry = null;
      if (this.watched.get(agent) === w) this.enqueue(() => this.subscribe(agent));
    }, delayMs);
  }

  private async subscribe(agent: string): Promise<void> {
    const w = this.watched.get(agent);
    const ua = this.deps.ua();
    const target = UserAgent.makeURI(`sip:${agent}`);
    if (!w || !ua || !target) return;
    for (const s of [w.dialog, w.presence]) if (s && s.state !== SubscriptionState.Terminated) void s.dispose().catch(() => undefined);
    w.dialogs = null;
    w.asked = false;
    const make = (event: 'dialog' | 'presence') => {
      const sub = new Subscriber(ua, target, event, { expires });
      sub.delegate = { onNotify: (n) => this.onNotify(agent, event, sub, n) };
      sub.stateChange.addListener((state) => {
        if (this.watched.get(agent) !== w || (event === 'dialog' ? w.dialog : w.presence) !== sub) return;
        if (state === SubscriptionState.Subscribed) {
          w.attempt = 0;
          patchRow(agent, { watch: { state: 'live' } });
        }
        // Ended by the server (expired, 481 after a restart, refused): try again, backing off.
        if (state === SubscriptionState.Terminated) {
          patchRow(agent, { watch: { state: 'failed', reason: `The ${event} subscription ended; subscribing again…` } });
          this.resubscribe(agent, reconnectDelayMs(++w.attempt, 1000, 30_000));
        }
      });
      return sub;
    };
    w.dialog = make('dialog');
    w.presence = make('presence');
    patchRow(agent, { watch: { state: 'subscribing' } });
    await Promise.all([w.dialog.subscribe(), w.presence.subscribe()]).catch(() => undefined);
    // Settled when the first NOTIFY (or a refusal) arrives: that is what frees a place in the queue.
    await Promise.race([
      new Promise<void>((resolve) => {
        const check = () => (w.dialog?.state !== SubscriptionState.NotifyWait && w.dialog?.state !== SubscriptionState.Initial ? resolve() : undefined);
        w.dialog?.stateChange.addListener(check);
        check();
      }),
      new Promise<void>((resolve) => setTimeout(resolve, 5000)),
    ]);
  }

  private onNotify(agent: string, event: 'dialog' | 'presence', sub: Subscriber, n: Notification): void {
    void n.accept().catch(() => undefined);
    const w = this.watched.get(agent);
    if (!w || (event === 'dialog' ? w.dialog : w.presence) !== sub) return;
    const body = n.request.body ?? '';
    if (event === 'presence') return this.applyPresence(agent, body, false);
    const info = parseDialogInfo(body);
    if (!info) return; // an empty first NOTIFY, or something unreadable: keep what is known
    const next = applyDialogInfo(w.dialogs, info);
    if (!next) return;
    w.dialogs = next;
    const activity = callActivity(next.dialogs);
    patchRow(agent, (row) => ({
      activity,
      callSince: activity.phase !== 'on-call' ? null : (row.callSince ?? Date.now()),
    }));
  }

  private applyPresence(agent: string, body: string, direct: boolean): void {
    const w = this.watched.get(agent)!;
    const doc = body.trim() ? parseAgentState(body) : null;
    if (body.trim() && !doc) return;
    if (!doc || !doc.state) {
      // Nothing published (or expired), or the PBX's own device state: signed in or not, no more.
      const signedIn = doc?.signedIn ?? false;
      patchRow(agent, signedIn ? { signedIn } : { signedIn, availability: null, hand: null, supervision: null });
      // A PBX that relays no PUBLISH: ask the agent's app once per subscription.
      if (signedIn && !w.asked && !direct) {
        w.asked = true;
        void this.ask(agent);
      }
      return;
    }
    const s = doc.state;
    if (s.at < w.stateAt) return;
    w.stateAt = s.at;
    patchRow(agent, (row) => ({
      signedIn: s.signedIn,
      availability: s.signedIn ? s.availability : null,
      hand: s.hand,
      supervision: s.supervision,
      callSince: s.callSince ? Date.parse(s.callSince) : row.activity.phase === 'on-call' ? row.callSince : null,
    }));
  }

  private async ask(agent: string): Promise<void> {
    const ua = this.deps.ua();
    const target = UserAgent.makeURI(`sip:${agent}`);
    if (!ua || !target) return;
    await new Messager(ua, target, stateQueryBody, directContentType).message().catch(() => undefined);
  }
}
