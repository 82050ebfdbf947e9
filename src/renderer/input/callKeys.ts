import type { CallAction } from '../../shared/bridge';

/**
 * The call keys inside the page: the same keys the desktop app registers system-wide
 * (main/shortcuts.ts), so an agent learns one set. Ctrl (⌘ on macOS) + Shift + F9 answers,
 * F10 hangs up or declines, F8 mutes.
 */
export const pageCallKeys: Record<string, CallAction> = { F9: 'answer', F10: 'hangup', F8: 'toggle-mute' };

export function callActionForKey(e: Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'metaKey' | 'shiftKey' | 'altKey' | 'repeat'>): CallAction | null {
  if (e.repeat || e.altKey || !e.shiftKey || !(e.ctrlKey || e.metaKey)) return null;
  return pageCallKeys[e.key] ?? null;
}

export function watchCallKeys(act: (action: CallAction) => void): () => void {
  const onKey = (e: KeyboardEvent) => {
    const action = callActionForKey(e);
    if (!action) return;
    e.preventDefault();
    act(action);
  };
  window.addEventListener('keydown', onKey);
  return () => window.removeEventListener('keydown', onKey);
}
