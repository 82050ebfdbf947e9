import { describe, expect, it } from 'vitest';
import type { ShortcutAction } from '../shared/bridge';
import { registerGlobalShortcuts, type GlobalShortcutLike } from './shortcuts';

function fakeShortcuts(owned: string[] = []) {
  const callbacks = new Map<string, () => void>();
  const shortcuts: GlobalShortcutLike = {
    register: (a, cb) => {
      if (owned.includes(a)) return false;
      callbacks.set(a, cb);
      return true;
    },
    unregister: (a) => void callbacks.delete(a),
  };
  return { shortcuts, callbacks };
}

describe('system-wide shortcuts', () => {
  it('a press of Ctrl/Cmd+Shift+Space toggles the supervisor’s microphone in the window', () => {
    const { shortcuts, callbacks } = fakeShortcuts();
    const sent: ShortcutAction[] = [];
    const reg = registerGlobalShortcuts(shortcuts, (a) => sent.push(a));
    expect(reg.taken).toEqual([]);
    callbacks.get('CommandOrControl+Shift+Space')!();
    expect(sent).toEqual(['toggle-talk']);
    reg.dispose();
    expect(callbacks.size).toBe(0);
  });

  it('a key another app owns is reported, not fatal', () => {
    const { shortcuts } = fakeShortcuts(['CommandOrControl+Shift+Space']);
    const reg = registerGlobalShortcuts(shortcuts, () => undefined);
    expect(reg.taken).toEqual(['CommandOrControl+Shift+Space']);
    const throwing: GlobalShortcutLike = { register: () => { throw new Error('bad accelerator'); }, unregister: () => undefined };
    expect(registerGlobalShortcuts(throwing, () => undefined).taken).toHaveLength(1);
  });
});
