import { SessionState } from 'sip.js';
import type { CoachingMessage } from '../../shared/supervision/coaching';
import { quickPhraseSchema } from '../../shared/supervision/coaching';
import { notify, patchCall, type CoachingPrompt } from '../store/phoneState';
import type { CallEntry } from './callEntry';
import { sendCoachingMessage, supervisionLegsOf, type PhoneCore, type SupervisionReply } from './supervisionCore';

/** Prompts kept per call: a card wall the agent cannot clear would be worse than none. */
const maxPromptsPerCall = 50;

/**
 * Text coaching on a supervision leg: the supervisor sends a prompt, the agent's app shows it on
 * the customer call and the agent may acknowledge it. The supervisor's talk time is kept here too
 * (the over-coaching guard). Only the app-mixed path has the agent's app on the leg to show it.
 */
export class Coaching {
  private seq = 0;

  constructor(private readonly core: PhoneCore) {}

  /** Supervisor side: why a prompt cannot be sent on this leg now, or null. */
  unavailable(id: string): string | null {
    const entry = this.core.calls.get(id);
    const view = this.core.view(id);
    if (!entry || !view?.supervising) return 'Not supervising this call';
    if (!entry.reportedCall) return 'Text prompts need the agent’s Whisperline app on the supervision leg (not available on the PBX’s own monitoring codes)';
    if (!view.supervising.confirmed || entry.session.state !== SessionState.Established) return 'Joining…';
    return null;
  }

  /** Supervisor side: sends a prompt; the card shows it as sent, acknowledged, or why it failed. */
  async send(id: string, raw: string): Promise<void> {
    const text = quickPhraseSchema.safeParse(raw);
    const why = this.unavailable(id);
    const entry = this.core.calls.get(id);
    if (!text.success || why || !entry) {
      if (why) notify('warning', `Prompt not sent: ${why}.`);
      return;
    }
    const prompt: CoachingPrompt = { id: ++this.seq, text: text.data, from: '', at: Date.now(), acknowledged: false, dismissed: false };
    this.updatePrompts(id, (list) => [...list, prompt]);
    try {
      await sendCoachingMessage(entry, { type: 'coach', id: prompt.id, text: prompt.text });
    } catch (e) {
      const failed = (e as Error).message;
      this.updatePrompts(id, (list) => list.map((p) => (p.id === prompt.id ? { ...p, failed } : p)));
      notify('warning', `Prompt not delivered: ${failed}.`);
    }
  }

  /** A coaching MESSAGE on a supervision leg, either side. */
  onMessage(entry: CallEntry, reply: SupervisionReply, msg: CoachingMessage): void {
    if (entry.kind === 'supervised' && entry.supervision && msg.type === 'coach') {
      const customerId = entry.supervision.customerCallId;
      const from = entry.supervision.supervisor;
      reply.accept();
      if (this.core.view(customerId)?.prompts.some((p) => p.id === msg.id && p.from === from)) return; // a retransmission
      this.updatePrompts(customerId, (list) => [...list, { id: msg.id, text: msg.text, from, at: Date.now(), acknowledged: false, dismissed: false }].slice(-maxPromptsPerCall));
      return;
    }
    if (entry.kind === 'supervising' && msg.type === 'coach-ack') {
      reply.accept();
      this.updatePrompts(entry.id, (list) => list.map((p) => (p.id === msg.id ? { ...p, acknowledged: true } : p)));
      return;
    }
    // Only the supervisor prompts, only the agent acknowledges.
    reply.reject(469, 'Bad Info Package');
  }

  /** Agent side: "Got it": the supervisor sees it acknowledged, and the card closes. */
  acknowledge(customerCallId: string, promptId: number): void {
    const prompt = this.core.view(customerCallId)?.prompts.find((p) => p.id === promptId);
    if (!prompt) return;
    this.updatePrompts(customerCallId, (list) => list.map((p) => (p === prompt ? { ...p, acknowledged: true, dismissed: true } : p)));
    const leg = supervisionLegsOf(this.core, customerCallId).find((e) => e.supervision?.supervisor === prompt.from);
    // The supervisor may have left already: the agent's card still closes.
    if (leg) void sendCoachingMessage(leg, { type: 'coach-ack', id: promptId }).catch(() => undefined);
  }

  /** Agent side: closes the card without telling the supervisor. */
  dismiss(customerCallId: string, promptId: number): void {
    this.updatePrompts(customerCallId, (list) => list.map((p) => (p.id === promptId ? { ...p, dismissed: true } : p)));
  }

  /** Supervisor side: the microphone started or stopped carrying (talk time). */
  micCarrying(id: string, carrying: boolean): void {
    const sup = this.core.view(id)?.supervising;
    if (!sup || (sup.talked.since !== null) === carrying) return;
    const now = Date.now();
    const talked = carrying ? { ms: sup.talked.ms, since: now } : { ms: sup.talked.ms + now - (sup.talked.since ?? now), since: null };
    patchCall(id, { supervising: { ...sup, talked } });
  }

  private updatePrompts(callId: string, change: (list: CoachingPrompt[]) => CoachingPrompt[]): void {
    const view = this.core.view(callId);
    if (view) patchCall(callId, { prompts: change(view.prompts) });
  }
}
