import { Inviter, SessionState, UserAgent } from 'sip.js';
import { toSipUri } from '../../shared/dialTarget';
import { planStart, planSwitch, type PbxProfile } from '../../shared/pbx/profiles';
import type { MixMode, SupervisionMode } from '../../shared/supervision/modes';
import { notify, patchCall } from '../store/phoneState';
import type { CallEntry } from './callEntry';
import type { PhoneCore } from './supervisionCore';

/** What the feature-code path needs beyond the app-mixed core. */
export interface FeatureCodeCore extends PhoneCore {
  /** Opens or closes the supervisor's microphone for the mode now shown. */
  applySupervisorMic(id: string): void;
  /** The account's PBX profile now. */
  profile(): PbxProfile;
}

/**
 * Supervision through the PBX's own monitoring feature (Asterisk ChanSpy, FreeSWITCH eavesdrop,
 * 3CX…): Listen dials the profile's code for the agent, modes switch with the profile's DTMF in the
 * same session (or by redialing), Leave hangs up. The PBX mixes; the supervisor's app only keeps its
 * microphone closed in listen, so nothing is sent that the PBX could leak.
 */
export class FeatureCodeSupervision {
  /** Supervision legs of this path: leg id → the agent's extension. */
  private readonly legs = new Map<string, string>();

  constructor(private readonly core: FeatureCodeCore) {}

  owns(id: string): boolean {
    return this.legs.has(id);
  }

  start(profile: PbxProfile, agent: string, mode: MixMode): string | null {
    const plan = planStart(profile, agent.trim(), mode);
    if (plan.kind !== 'dial') {
      notify('warning', plan.kind === 'unavailable' ? `Cannot supervise ${agent}: ${plan.reason}` : 'This profile supervises through the app.');
      return null;
    }
    const ua = this.core.ua();
    const account = this.core.account();
    const target = account ? toSipUri(plan.target, account.domain) : null;
    const uri = target ? UserAgent.makeURI(target) : undefined;
    if (!ua || !uri || !target) {
      notify('error', ua ? `"${plan.target}" cannot be dialled.` : 'Not signed in to a SIP server.');
      return null;
    }
    this.core.audio.resume();
    const inviter = new Inviter(ua, uri);
    const entry = this.core.addCall(
      inviter,
      { direction: 'outbound', remoteUri: target, remoteName: agent, state: 'dialing', consultFor: null, kind: 'supervising', supervising: { agent, mode: plan.mode, talk: true, ptt: false, confirmed: false, talked: { ms: 0, since: null } } },
      { kind: 'supervising' },
    );
    this.legs.set(entry.id, agent);
    inviter.stateChange.addListener((state) => {
      if (state === SessionState.Established) {
        // The PBX answered its monitoring feature: the mode is what the code started.
        const sup = this.core.view(entry.id)?.supervising;
        if (sup) patchCall(entry.id, { supervising: { ...sup, confirmed: true } });
        this.core.applySupervisorMic(entry.id);
        if (plan.then) this.switchTo(entry, mode, plan.then);
      } else if (state === SessionState.Terminated) this.legs.delete(entry.id);
    });
    this.core.invite(entry, inviter, `Monitoring ${agent} (${plan.target}) failed`);
    return entry.id;
  }

  private switchTo(entry: CallEntry, mode: MixMode, digits: string): void {
    const sup = this.core.view(entry.id)?.supervising;
    if (!sup) return;
    // Close the microphone before leaving a talking mode; open it only after the digits went out.
    if (mode === 'listen') {
      patchCall(entry.id, { supervising: { ...sup, mode } });
      this.core.applySupervisorMic(entry.id);
    }
    for (const d of digits) this.core.sendDtmf(entry.id, d);
    if (mode !== 'listen') {
      patchCall(entry.id, { supervising: { ...(this.core.view(entry.id)?.supervising ?? sup), mode } });
      this.core.applySupervisorMic(entry.id);
    }
  }

  async setMode(id: string, mode: SupervisionMode): Promise<void> {
    const entry = this.core.calls.get(id);
    const sup = this.core.view(id)?.supervising;
    const agent = this.legs.get(id);
    if (!entry || !sup || !agent || sup.mode === 'takeover' || entry.session.state !== SessionState.Established) return;
    const plan = planSwitch(this.core.profile(), sup.mode, mode, agent);
    if (plan.kind === 'none') return;
    if (plan.kind === 'unavailable' || plan.kind === 'message') {
      notify('warning', plan.kind === 'unavailable' ? plan.reason : `${mode} is not available on this path.`);
      return;
    }
    if (plan.kind === 'dtmf' && mode !== 'takeover') {
      this.switchTo(entry, mode, plan.digits);
      return;
    }
    if (plan.kind === 'redial' && mode !== 'takeover') {
      // No digit for this switch on this PBX: hang up and dial the mode's own code.
      await this.core.hangup(id);
      this.start(this.core.profile(), agent, mode);
    }
  }

}
