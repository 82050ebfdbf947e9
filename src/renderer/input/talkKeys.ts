import type { ShortcutAction } from '../../shared/bridge';
import type { Supervision } from '../sip/supervision';
import { phoneStore } from '../store/phoneState';

/** Page keys for the supervisor's microphone: hold to talk, and a toggle. */
export const pushToTalkKey = 'F8';
export const toggleTalkKey = 'F9';

/** The supervision session the keys act on: the newest live one. */
function liveSessionId(): string | null {
  const live = phoneStore.get().calls.filter((c) => c.supervising?.confirmed && c.state === 'active');
  return live.at(-1)?.id ?? null;
}

/**
 * Keyboard talk controls for the supervisor: F8 held is push-to-talk, F9 toggles the microphone,
 * and the desktop app's system-wide shortcut toggles it too (while another app has the focus).
 * The microphone still only carries in whisper and barge (SupervisorSide.applySupervisorMic).
 */
export function watchTalkKeys(supervision: Supervision, onShortcut: (listener: (action: ShortcutAction) => void) => () => void): () => void {
  const toggle = () => {
    const id = liveSessionId();
    const sup = id ? phoneStore.get().calls.find((c) => c.id === id)?.supervising : null;
    if (id && sup) supervision.setSupervisorTalk(id, { talk: !sup.talk });
  };
  const down = (e: KeyboardEvent) => {
    // With Ctrl/⌘+Shift they are the call keys (input/callKeys.ts), not the supervisor's microphone.
    if (e.repeat || e.ctrlKey || e.metaKey || e.altKey || e.shiftKey || (e.key !== pushToTalkKey && e.key !== toggleTalkKey)) return;
    const id = liveSessionId();
    if (!id) return;
    e.preventDefault();
    if (e.key === pushToTalkKey) supervision.setSupervisorTalk(id, { ptt: true });
    else toggle();
  };
  const up = (e: KeyboardEvent) => {
    if (e.key !== pushToTalkKey) return;
    // Released wherever the focus went: no session keeps a held key open.
    for (const c of phoneStore.get().calls) if (c.supervising?.ptt) supervision.setSupervisorTalk(c.id, { ptt: false });
  };
  // The window losing focus mid-hold never sees the key come up.
  const blur = () => up(new KeyboardEvent('keyup', { key: pushToTalkKey }));
  window.addEventListener('keydown', down);
  window.addEventListener('keyup', up);
  window.addEventListener('blur', blur);
  const stopShortcut = onShortcut((action) => {
    if (action === 'toggle-talk') toggle();
  });
  return () => {
    window.removeEventListener('keydown', down);
    window.removeEventListener('keyup', up);
    window.removeEventListener('blur', blur);
    stopShortcut();
  };
}
