import { userOf } from '../../shared/dialTarget';
import type { FollowMessage } from '../../shared/supervision/follow';
import type { SupervisionMode } from '../../shared/supervision/modes';
import { phoneStore } from '../store/phoneState';
import type { CallEntry } from './callEntry';
import { sendLegMessage, supervisionLegsOf, type PhoneCore, type SupervisionReply } from './supervisionCore';

/**
 * How long a transferred call's supervision legs wait for the supervisor's app to confirm where the
 * call went before they end anyway (a supervisor app that never answers must not hold a leg open).
 */
const tellCeilingMs = 5000;

/**
 * Supervision follows the call. Agent side: a supervised call transferred away tells each
 * supervisor where it went before their leg ends. Supervisor side: that word becomes an offer to
 * rejoin the new leg in one click (through the same checks as any join).
 */
export class FollowCall {
  private offerSeq = 0;
  /** Agent side: supervision legs (by entry id) waiting for the supervisor's `moved-ack`. */
  private readonly awaitingAck = new Map<string, () => void>();

  constructor(
    private readonly core: PhoneCore,
    private readonly join: (agent: string, mode: SupervisionMode) => Promise<void>,
  ) {}

  /**
   * Agent side: the customer call `customerCallId` was transferred to `targetUri`. Resolves once
   * every supervisor's app has confirmed it (end to end, not just the PBX's 200), or the ceiling.
   */
  callMoved(customerCallId: string, targetUri: string): Promise<void> {
    const to = userOf(targetUri);
    const legs = supervisionLegsOf(this.core, customerCallId);
    const told = Promise.all(
      legs.map(
        (leg) =>
          new Promise<void>((resolve) => {
            this.awaitingAck.set(leg.id, resolve);
            sendLegMessage(leg, { type: 'moved', to } satisfies FollowMessage).catch(() => this.legGone(leg));
          }),
      ),
    );
    const ceiling = new Promise<void>((r) => setTimeout(r, tellCeilingMs));
    return Promise.race([told.then(() => undefined), ceiling]).finally(() => legs.forEach((leg) => this.awaitingAck.delete(leg.id)));
  }

  /** Agent side: a supervision leg that ended (or refused the word) has nothing more to confirm. */
  legGone(leg: CallEntry): void {
    this.awaitingAck.get(leg.id)?.();
    this.awaitingAck.delete(leg.id);
  }

  /** Either side: a follow message arrived on a supervision leg. */
  onMessage(entry: CallEntry, reply: SupervisionReply, msg: FollowMessage): void {
    if (msg.type === 'moved-ack') {
      if (entry.kind !== 'supervised') return reply.reject(469, 'Bad Info Package');
      reply.accept();
      return this.legGone(entry);
    }
    if (entry.kind !== 'supervising') return reply.reject(469, 'Bad Info Package');
    reply.accept();
    entry.movedTo = msg.to;
    void sendLegMessage(entry, { type: 'moved-ack' } satisfies FollowMessage).catch(() => undefined);
  }

  /** Supervisor side: the leg ended; if the call moved, offer to follow it. */
  legEnded(entry: CallEntry, agent: string, mode: SupervisionMode): void {
    if (!entry.movedTo || entry.movedTo === agent) return;
    const offer = { id: ++this.offerSeq, from: agent, to: entry.movedTo, mode: mode === 'takeover' ? 'listen' : mode, at: Date.now() } as const;
    phoneStore.update((s) => ({ ...s, rejoinOffers: [...s.rejoinOffers.slice(-4), offer] }));
  }

  /** One click: join the call where it went, in the mode the supervisor had. */
  async rejoin(offerId: number): Promise<void> {
    const offer = phoneStore.get().rejoinOffers.find((o) => o.id === offerId);
    this.dismiss(offerId);
    if (offer) await this.join(offer.to, offer.mode);
  }

  dismiss(offerId: number): void {
    phoneStore.update((s) => ({ ...s, rejoinOffers: s.rejoinOffers.filter((o) => o.id !== offerId) }));
  }
}
