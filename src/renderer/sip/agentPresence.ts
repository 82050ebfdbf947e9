import { Messager, Publisher, PublisherState, UserAgent } from 'sip.js';
import { modesFor } from '../../shared/policy/signedPolicy';
import { agentStateXml, type AgentState } from '../../shared/presence/agentState';
import { directContentType, pidfContentType } from '../../shared/presence/contentTypes';
import { phoneStore, type PhoneState } from '../store/phoneState';

export interface AgentPresenceDeps {
  ua(): UserAgent | null;
  /** This desk, `user@domain`; '' before sign-in. */
  me(): string;
}

/**
 * The agent's side of the team board: publishes the agent's state (signed in, Ready / Not ready /
 * Wrap-up, raised hand, who supervises the current call, when it was answered) as PIDF.
 * Where the server is a presence server (Kamailio), by PUBLISH; where PUBLISH is refused (a PBX
 * like Asterisk has no presence server for endpoints), by out-of-dialog MESSAGE to the supervisors
 * the org policy gives this agent, who may also ask for it (state query). Published again after a
 * reconnect, since a restarted server has forgotten it.
 */
export class AgentPresence {
  private publisher: Publisher | null = null;
  private publisherUa: UserAgent | null = null;
  /** PUBLISH was refused: this server takes none; tell supervisors directly. */
  private direct = false;
  private published = '';
  private timer: ReturnType<typeof setTimeout> | null = null;
  private online = false;
  private since = new Date().toISOString();

  constructor(private readonly deps: AgentPresenceDeps) {
    phoneStore.subscribe(() => this.schedule());
  }

  /** Registered (again): say who we are and how we are, from scratch. */
  start(): void {
    this.online = true;
    this.published = '';
    this.schedule();
  }

  /** Signed out or stopping: supervisors see the agent signed out (the publication is removed). */
  async stop(): Promise<void> {
    this.online = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const body = agentStateXml(this.state(phoneStore.get(), false));
    if (this.direct) await this.tellSupervisors(body);
    else await this.publisher?.unpublish().catch(() => undefined);
    this.published = '';
  }

  /** A supervisor's board asks (out-of-dialog MESSAGE): answer a supervisor the policy names. */
  answerQuery(from: string): void {
    if (!this.online || !this.supervisors().includes(from)) return;
    void this.message(from, agentStateXml(this.state(phoneStore.get(), true)));
  }

  /** The state as the board shows it. */
  state(s: PhoneState, signedIn = this.online): AgentState {
    const call = s.calls.find((c) => c.kind === 'call' && c.answeredAt !== null && c.state !== 'ended');
    const supervised = s.calls.find((c) => c.supervisedBy)?.supervisedBy ?? null;
    return {
      agent: this.deps.me(),
      signedIn,
      availability: s.agentState,
      hand: s.raisedHand && call ? s.raisedHand : null,
      supervision: supervised ? { by: supervised.supervisorId, mode: supervised.mode } : null,
      callSince: call?.answeredAt ? new Date(call.answeredAt).toISOString() : null,
      at: this.since,
    };
  }

  // Changes arrive in bursts (a call ending changes calls, agentState and wrapUpFor): one document.
  private schedule(): void {
    if (!this.online || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.publish();
    }, 50);
  }

  private async publish(): Promise<void> {
    const ua = this.deps.ua();
    if (!ua || !this.online || !this.deps.me()) return;
    // Sent again when the supervisors change too (a policy that arrived after sign-in).
    const key = JSON.stringify({ ...this.state(phoneStore.get()), at: '', to: this.direct ? this.supervisors() : [] });
    if (key === this.published) return;
    this.published = key;
    this.since = new Date().toISOString();
    const body = agentStateXml(this.state(phoneStore.get()));
    if (this.direct) return this.tellSupervisors(body);
    const publisher = this.publisherFor(ua);
    await publisher.publish(body).catch(() => undefined);
  }

  private publisherFor(ua: UserAgent): Publisher {
    if (this.publisher && this.publisherUa === ua && this.publisher.state !== PublisherState.Terminated) return this.publisher;
    const target = UserAgent.makeURI(`sip:${this.deps.me()}`)!;
    const publisher = new Publisher(ua, target, 'presence', { expires: 120, contentType: pidfContentType, unpublishOnClose: true });
    let accepted = false;
    publisher.stateChange.addListener((state) => {
      if (state === PublisherState.Published) accepted = true;
      // Refused outright (not a refresh that failed later): this server takes no PUBLISH.
      if (state === PublisherState.Terminated && !accepted && this.publisher === publisher && this.online) {
        this.direct = true;
        this.published = '';
        this.schedule();
      }
    });
    this.publisher = publisher;
    this.publisherUa = ua;
    return publisher;
  }

  /** Supervisors who may supervise this agent in some mode (the org policy's), but not this desk. */
  private supervisors(): string[] {
    const status = phoneStore.get().orgPolicy;
    if (status?.state !== 'active') return [];
    const me = this.deps.me();
    return status.policy.people.filter((p) => p.id !== me && modesFor(status.policy, p.id, me).length > 0).map((p) => p.id);
  }

  private async tellSupervisors(body: string): Promise<void> {
    await Promise.all(this.supervisors().map((s) => this.message(s, body)));
  }

  private async message(to: string, body: string): Promise<void> {
    const ua = this.deps.ua();
    const target = UserAgent.makeURI(`sip:${to}`);
    if (!ua || !target) return;
    // A supervisor who is signed out answers 480: nothing to do, their board asks when it starts.
    await new Messager(ua, target, body, directContentType).message().catch(() => undefined);
  }
}
