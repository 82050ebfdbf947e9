import type { ShortcutAction } from '../shared/bridge';

/** The system-wide key for the supervisor's microphone: works while another app (the CRM) has the focus. */
export const globalShortcuts: Record<string, ShortcutAction> = {
  'CommandOrControl+Shift+Space': 'toggle-talk',
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
 * Registers the supervisor's system-wide shortcuts; each press is handed to `send` (the supervisor
 * window). Electron reports presses only, never releases, so push-to-talk stays a page key and the
 * system-wide key toggles.
 */
export function registerGlobalShortcuts(shortcuts: GlobalShortcutLike, send: (action: ShortcutAction) => void): ShortcutRegistration {
  const registered: string[] = [];
  const taken: string[] = [];
  for (const [accelerator, action] of Object.entries(globalShortcuts)) {
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
