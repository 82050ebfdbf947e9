import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { CallAction, HostCallState } from '../../shared/bridge';
import type { HostText } from '../../shared/i18n/hostText';

/** Electron's Notification options and instance, as far as we use them (replaced in tests). */
export interface NotificationOptions {
  title: string;
  body: string;
  silent: boolean;
  urgency: 'critical';
  timeoutType: 'never';
  actions?: Array<{ type: 'button'; text: string }>;
  toastXml?: string;
}
export interface NotificationLike {
  on(event: 'action', listener: (event: unknown, index: number) => void): unknown;
  on(event: 'click' | 'close', listener: () => void): unknown;
  show(): void;
  close(): void;
}

/** Where the OS lets a notification carry buttons: macOS (actions), Windows (toast XML), not Linux. */
export type NotificationStyle = 'actions' | 'toast' | 'click-only';
export function notificationStyleFor(platform: string): NotificationStyle {
  return platform === 'darwin' ? 'actions' : platform === 'win32' ? 'toast' : 'click-only';
}

/** The scheme a Windows toast button opens (the OS hands it to the running app as a second launch). */
export const actionScheme = 'whisperline';

const xmlEscape = (s: string) => s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);

/**
 * A Windows toast with Answer / Decline buttons. The caller's name comes from the SIP From header,
 * which anyone can set, so every value is escaped. The buttons open
 * `whisperline:call-action?do=…&call=…&t=<token>`; the token is random per run, so a link on a web
 * page cannot answer or decline the agent's calls.
 */
export function toastXml(title: string, body: string, buttons: Array<{ text: string; url: string }>): string {
  const actions = buttons.map((b) => `<action content="${xmlEscape(b.text)}" activationType="protocol" arguments="${xmlEscape(b.url)}"/>`).join('');
  return `<toast scenario="incomingCall" activationType="protocol" launch="${xmlEscape(`${actionScheme}:show`)}"><visual><binding template="ToastGeneric"><text>${xmlEscape(title)}</text><text>${xmlEscape(body)}</text></binding></visual><actions>${actions}</actions><audio silent="true"/></toast>`;
}

export interface NotifierDeps {
  platform: string;
  create(options: NotificationOptions): NotificationLike;
  act(action: CallAction, callId: string | null): void;
  /** Tests fix the token; otherwise 16 random bytes. */
  token?: string;
}

/**
 * Shows one notification per ringing call, with Answer / Decline where the OS allows, and takes it
 * away as soon as the call is answered, declined or gone (from here, the headset or the window).
 * The page plays the ringer, so the notification is silent.
 */
export class IncomingCallNotifier {
  readonly token: string;
  private shown: { id: string; note: NotificationLike } | null = null;

  constructor(private readonly deps: NotifierDeps) {
    this.token = deps.token ?? randomBytes(16).toString('hex');
  }

  update(state: HostCallState, text: HostText): void {
    const id = state.incoming?.id ?? null;
    if (this.shown && this.shown.id !== id) this.dismiss();
    if (!state.incoming || this.shown) return;
    const { caller } = state.incoming;
    const style = notificationStyleFor(this.deps.platform);
    const options: NotificationOptions = { title: text('incomingTitle'), body: caller, silent: true, urgency: 'critical', timeoutType: 'never' };
    if (style === 'actions') {
      // Both as actions: a close (the user swiping it away) must not decline a customer's call.
      options.actions = [{ type: 'button', text: text('answer') }, { type: 'button', text: text('decline') }];
    } else if (style === 'toast') {
      options.toastXml = toastXml(options.title, caller, [
        { text: text('answer'), url: this.actionUrl('answer', state.incoming.id) },
        { text: text('decline'), url: this.actionUrl('decline', state.incoming.id) },
      ]);
    }
    let note: NotificationLike;
    try {
      note = this.deps.create(options);
    } catch (e) {
      console.warn(`Incoming-call notification not shown: ${(e as Error).message}`);
      return;
    }
    const callId = state.incoming.id;
    const current = { id: callId, note };
    note.on('action', (_e, index) => {
      if (index === 0 || index === 1) this.deps.act(index === 0 ? 'answer' : 'decline', callId);
    });
    note.on('click', () => this.deps.act('show', callId));
    note.on('close', () => {
      if (this.shown === current) this.shown = null;
    });
    this.shown = current;
    note.show();
  }

  private dismiss(): void {
    const shown = this.shown;
    this.shown = null;
    try {
      shown?.note.close();
    } catch {
      // already gone
    }
  }

  actionUrl(action: 'answer' | 'decline', callId: string): string {
    return `${actionScheme}:call-action?do=${action}&call=${encodeURIComponent(callId)}&t=${this.token}`;
  }

  /** A `whisperline:` link from a second launch: the action and call it names, if its token is ours. */
  parseActionUrl(url: string): { action: 'answer' | 'decline' | 'show'; callId: string | null } | null {
    if (url.length > 2048) return null;
    if (url === `${actionScheme}:show`) return { action: 'show', callId: null };
    const m = /^whisperline:call-action\?(.*)$/i.exec(url);
    if (!m) return null;
    const q = new URLSearchParams(m[1]);
    const action = q.get('do');
    const callId = q.get('call');
    const token = Buffer.from(q.get('t') ?? '');
    const mine = Buffer.from(this.token);
    if ((action !== 'answer' && action !== 'decline') || !callId) return null;
    if (token.length !== mine.length || !timingSafeEqual(token, mine)) return null;
    return { action, callId };
  }
}
