import { describe, expect, it } from 'vitest';
import type { ShortcutAction } from '../shared/bridge';
import { callShortcuts, registerGlobalShortcuts, type GlobalShortcutLike } from './shortcuts';

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

  it("the agent's call keys answer, hang up and mute while another app has the focus", () => {
    const { shortcuts, callbacks } = fakeShortcuts();
    const sent: string[] = [];
    const reg = registerGlobalShortcuts(shortcuts, (a) => sent.push(a), callShortcuts);
    callbacks.get('CommandOrControl+Shift+F9')!();
    callbacks.get('CommandOrControl+Shift+F8')!();
    callbacks.get('CommandOrControl+Shift+F10')!();
    expect(sent).toEqual(['answer', 'toggle-mute', 'hangup']);
    expect(callbacks.has('CommandOrControl+Shift+Space')).toBe(false);
    reg.dispose();
  });
});
