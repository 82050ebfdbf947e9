import { callActions, type CallAction, type HostCallState, type WhisperlineBridge } from '../../shared/bridge';

type CallHostPart = Pick<WhisperlineBridge, 'publishCallState' | 'onCallAction' | 'onHostCallState' | 'sendCallAction' | 'setMiniWindow'>;

type Message = { type: 'state'; state: HostCallState } | { type: 'action'; action: CallAction; callId: string | null } | { type: 'hello' };

const isAction = (a: unknown): a is CallAction => (callActions as readonly unknown[]).includes(a);

/**
 * The web build's host for calls: the mini window is a pop-up of the same page, kept in step over a
 * BroadcastChannel (same origin, same profile only); the incoming-call notification is the browser's
 * own, shown while the page is not in front (a click brings the tab forward: browsers give a page's
 * notifications no buttons without a service worker).
 */
export function createWebCallHost(profile: string): CallHostPart {
  const channel = typeof BroadcastChannel === 'undefined' ? null : new BroadcastChannel(`whisperline${profile}.calls`);
  let last: HostCallState | null = null;
  let shown: { id: string; note: Notification } | null = null;
  let mini: Window | null = null;

  const post = (m: Message) => channel?.postMessage(m);
  const listen = (fn: (m: Message) => void) => {
    const handler = (e: MessageEvent) => {
      if (e.data && typeof e.data === 'object') fn(e.data as Message);
    };
    channel?.addEventListener('message', handler);
    return () => channel?.removeEventListener('message', handler);
  };

  // The agent's page answers a mini window that just opened with the state it has now.
  listen((m) => {
    if (m.type === 'hello' && last) post({ type: 'state', state: last });
  });

  const notifyIncoming = (state: HostCallState) => {
    const id = state.incoming?.id ?? null;
    if (shown && shown.id !== id) {
      shown.note.close();
      shown = null;
    }
    if (!state.incoming || shown || typeof Notification === 'undefined' || Notification.permission !== 'granted') return;
    if (document.visibilityState === 'visible' && document.hasFocus()) return; // the agent sees the page ring
    try {
      const note = new Notification('Incoming call', { body: state.incoming.caller, tag: `whisperline${profile}-incoming`, requireInteraction: true, silent: true });
      note.onclick = () => {
        window.focus();
        note.close();
      };
      shown = { id: state.incoming.id, note };
    } catch (e) {
      console.warn(`Incoming-call notification not shown: ${(e as Error).message}`);
    }
  };

  return {
    publishCallState(state) {
      last = state;
      post({ type: 'state', state });
      notifyIncoming(state);
    },
    onCallAction(listener) {
      return listen((m) => {
        if (m.type === 'action' && isAction(m.action)) listener(m.action, typeof m.callId === 'string' ? m.callId : null);
      });
    },
    onHostCallState(listener) {
      const stop = listen((m) => {
        if (m.type === 'state' && m.state) listener(m.state);
      });
      post({ type: 'hello' });
      return stop;
    },
    sendCallAction(action) {
      post({ type: 'action', action, callId: null });
    },
    async setMiniWindow(open) {
      if (!open) {
        mini?.close();
        mini = null;
        return;
      }
      // A pop-up cannot stay on top of other apps in a browser; the desktop app's mini window does.
      mini = window.open(`${location.pathname}${location.search}#/mini`, `whisperline${profile}-mini`, 'popup,width=340,height=170');
    },
  };
}
