import { userOf } from '../../shared/dialTarget';
import type { CallMoved } from '../../shared/supervision/follow';
import type { SupervisionMode } from '../../shared/supervision/modes';
import { phoneStore } from '../store/phoneState';
import type { CallEntry } from './callEntry';
import { sendLegMessage, type PhoneCore, type SupervisionReply } from './supervisionCore';

/** How long a transferred call's supervision legs wait for the word to leave before they end. */
const tellCeilingMs = 2000;

/**
 * Supervision follows the call. Agent side: a supervised call transferred away tells each
 * supervisor where it went before their leg ends. Supervisor side: that word becomes an offer to
 * rejoin the new leg in one click (through the same checks as any join).
 */
export class FollowCall {
  private offerSeq = 0;

  constructor(
    private readonly core: PhoneCore,
    private readonly join: (agent: string, mode: SupervisionMode) => Promise<void>,
  ) {}

  /** Agent side: the customer call `customerCallId` was transferred to `targetUri`. Resolves once told (or the ceiling). */
  callMoved(customerCallId: string, targetUri: string): Promise<void> {
    const to = userOf(targetUri);
    const legs = [...this.core.calls.values()].filter((e) => e.kind === 'supervised' && e.supervision?.customerCallId === customerCallId);
    const told = Promise.all(legs.map((leg) => sendLegMessage(leg, { type: 'moved', to } satisfies CallMoved).catch(() => undefined)));
    return Promise.race([told.then(() => undefined), new Promise<void>((r) => setTimeout(r, tellCeilingMs))]);
  }

  /** Supervisor side: where the supervised call went; kept until the leg ends. */
  onMoved(entry: CallEntry, reply: SupervisionReply, msg: CallMoved): void {
    if (entry.kind !== 'supervising') return reply.reject(469, 'Bad Info Package');
    reply.accept();
    entry.movedTo = msg.to;
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
