import type { CallAction, ShortcutAction } from '../shared/bridge';

/** The system-wide key for the supervisor's microphone: works while another app (the CRM) has the focus. */
export const globalShortcuts: Record<string, ShortcutAction> = {
  'CommandOrControl+Shift+Space': 'toggle-talk',
};

/**
 * The agent's system-wide call keys, for answering while the CRM has the focus. Function keys with
 * Ctrl/Cmd+Shift: letters with Ctrl+Alt would take AltGr characters (µ, €) on European keyboards.
 */
export const callShortcuts: Record<string, CallAction> = {
  'CommandOrControl+Shift+F9': 'answer',
  'CommandOrControl+Shift+F10': 'hangup',
  'CommandOrControl+Shift+F8': 'toggle-mute',
};

/** Electron's globalShortcut, as far as we use it (replaced in tests). */
export interface GlobalShortcutLike {
  register(accelerator: string, callback: () => void): boolean;
  unregister(accelerator: string): void;
}

export interface ShortcutRegistration {
  /** Accelerators another app already owns (logged): the page's own keys still work. */
  taken: string[];
  dispose(): void;
}

/**
 * Registers system-wide shortcuts (by default the supervisor's); each press is handed to `send`.
 * Electron reports presses only, never releases, so push-to-talk stays a page key and the
 * system-wide key toggles.
 */
export function registerGlobalShortcuts<A extends string = ShortcutAction>(
  shortcuts: GlobalShortcutLike,
  send: (action: A) => void,
  table: Record<string, A> = globalShortcuts as Record<string, A>,
): ShortcutRegistration {
  const registered: string[] = [];
  const taken: string[] = [];
  for (const [accelerator, action] of Object.entries(table)) {
    let ok = false;
    try {
      ok = shortcuts.register(accelerator, () => send(action));
    } catch {
      ok = false;
    }
    (ok ? registered : taken).push(accelerator);
  }
  return {
    taken,
    dispose: () => {
      for (const a of registered) shortcuts.unregister(a);
      registered.length = 0;
    },
  };
}
