import { z } from 'zod';
import { callActions, type CallAction, type HostCallState } from '../../shared/bridge';
import type { HostText } from '../../shared/i18n/hostText';
import type { IncomingCallNotifier } from './incomingNotifier';
import { trayModel, type TrayPresence } from './trayPresence';

const shortText = z.string().max(200);
/** What the agent's page may publish: bounded, so a renderer cannot hand main megabytes. */
export const hostCallStateSchema = z.strictObject({
  registration: z.enum(['registered', 'connecting', 'offline', 'unconfigured', 'error']),
  agentState: z.enum(['ready', 'not-ready', 'wrap-up']).nullable(),
  incoming: z.strictObject({ id: shortText, caller: shortText }).nullable(),
  active: z
    .strictObject({ id: shortText, peer: shortText, onHold: z.boolean(), muted: z.boolean(), connectedAt: z.number().nullable() })
    .nullable(),
  display: z.strictObject({ language: z.enum(['en', 'de']), highContrast: z.boolean() }),
});
export const callActionSchema = z.enum(callActions);

export interface MiniWindowLike {
  isOpen(): boolean;
  open(): void;
  close(): void;
  send(state: HostCallState): void;
}

export interface CallHostDeps {
  tray: TrayPresence | null;
  notifier: IncomingCallNotifier;
  mini: MiniWindowLike;
  /** The host's words in a language (the page's, from its published state). */
  text(language: 'en' | 'de'): HostText;
  /** To the agent's window, which maps the action onto its calls. */
  sendToAgent(action: CallAction, callId: string | null): void;
  showAgent(): void;
}

/**
 * The host's side of calls: one published state from the agent's window drives the tray, the
 * incoming-call notification and the mini window; actions from any of them go back to the window.
 */
export class CallHost {
  private state: HostCallState = { registration: 'unconfigured', agentState: null, incoming: null, active: null, display: { language: 'en', highContrast: false } };

  constructor(private readonly deps: CallHostDeps) {}

  get current(): HostCallState {
    return this.state;
  }

  get miniOpen(): boolean {
    return this.deps.mini.isOpen();
  }

  publish(state: HostCallState): void {
    this.state = state;
    this.refresh();
    this.deps.notifier.update(state, this.deps.text(state.display.language));
    if (this.deps.mini.isOpen()) this.deps.mini.send(state);
  }

  /** The tray again (the mini window opened or closed, the language changed). */
  refresh(): void {
    this.deps.tray?.update(trayModel(this.state, this.deps.text(this.state.display.language), this.deps.mini.isOpen()));
  }

  act(action: CallAction, callId: string | null = null): void {
    if (action === 'show') this.deps.showAgent();
    else this.deps.sendToAgent(action, callId);
  }

  toggleMini(): void {
    if (this.deps.mini.isOpen()) this.deps.mini.close();
    else this.deps.mini.open();
    this.refresh();
  }

  /** A `whisperline:` link from a second launch (a Windows toast button); false if it is not ours. */
  handleLink(url: string): boolean {
    const parsed = this.deps.notifier.parseActionUrl(url);
    if (!parsed) return false;
    this.act(parsed.action, parsed.callId);
    return true;
  }
}
