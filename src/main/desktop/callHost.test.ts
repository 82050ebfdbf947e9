import { describe, expect, it } from 'vitest';
import type { CallAction, HostCallState } from '../../shared/bridge';
import { hostTextFor } from '../../shared/i18n/hostText';
import { CallHost, hostCallStateSchema } from './callHost';
import { IncomingCallNotifier, toastXml, type NotificationLike, type NotificationOptions } from './incomingNotifier';
import { TrayPresence, trayIconBitmap, trayModel } from './trayPresence';

const idle: HostCallState = { registration: 'registered', agentState: 'ready', incoming: null, active: null, display: { language: 'en', highContrast: false } };
const ringing: HostCallState = { ...idle, incoming: { id: 'call-1', caller: 'Ann Lee' } };
const onCall: HostCallState = { ...idle, active: { id: 'call-1', peer: 'Ann Lee', onHold: false, muted: false, connectedAt: 1 } };
const en = hostTextFor('en', 'en-US');

class FakeNotification implements NotificationLike {
  listeners = new Map<string, (...a: unknown[]) => void>();
  shown = false;
  closed = false;
  constructor(readonly options: NotificationOptions) {}
  on(event: string, listener: (...a: never[]) => void) {
    this.listeners.set(event, listener as (...a: unknown[]) => void);
    return this;
  }
  show() {
    this.shown = true;
  }
  close() {
    this.closed = true;
    this.listeners.get('close')?.();
  }
  emit(event: string, ...args: unknown[]) {
    this.listeners.get(event)?.(...args);
  }
}

function setup(platform: string) {
  const notes: FakeNotification[] = [];
  const acted: Array<[CallAction, string | null]> = [];
  const tray = { tooltip: '', menu: [] as Array<{ label?: string; click?: () => void; checked?: boolean }>, click: () => undefined as void };
  const notifier = new IncomingCallNotifier({
    platform,
    create: (o) => {
      const n = new FakeNotification(o);
      notes.push(n);
      return n;
    },
    act: (a, id) => host.act(a, id),
  });
  let miniOpen = false;
  const miniStates: HostCallState[] = [];
  const presence = new TrayPresence({
    tray: {
      setToolTip: (t) => void (tray.tooltip = t),
      setImage: () => undefined,
      setContextMenu: (m) => void (tray.menu = m as typeof tray.menu),
      on: (_e, l) => void (tray.click = l),
      destroy: () => undefined,
    },
    image: (b) => b,
    menu: (t) => t,
    act: (a) => host.act(a),
    toggleMini: () => host.toggleMini(),
    quit: () => undefined,
  });
  const host: CallHost = new CallHost({
    tray: presence,
    notifier,
    mini: { isOpen: () => miniOpen, open: () => void (miniOpen = true), close: () => void (miniOpen = false), send: (s) => void miniStates.push(s) },
    text: (lang) => hostTextFor(lang, 'en-US'),
    sendToAgent: (a, id) => void acted.push([a, id]),
    showAgent: () => void acted.push(['show', null]),
  });
  const menuItem = (label: string) => tray.menu.find((i) => i.label === label);
  return { host, notes, acted, tray, menuItem, miniStates, notifier };
}

describe('incoming-call notification', () => {
  it('macOS: Answer on the notification answers that call; Decline declines it; swiping it away does neither', () => {
    const { host, notes, acted } = setup('darwin');
    host.publish(ringing);
    expect(notes).toHaveLength(1);
    expect(notes[0].options).toMatchObject({ title: 'Incoming call', body: 'Ann Lee', silent: true, actions: [{ type: 'button', text: 'Answer' }, { type: 'button', text: 'Decline' }] });
    notes[0].emit('action', {}, 0);
    expect(acted).toEqual([['answer', 'call-1']]);
    // Answered: the notification goes away without declining anything.
    host.publish(onCall);
    expect(notes[0].closed).toBe(true);
    expect(acted).toEqual([['answer', 'call-1']]);
    host.publish({ ...idle, incoming: { id: 'call-2', caller: '2002' } });
    notes[1].emit('close');
    expect(acted).toHaveLength(1);
    host.publish({ ...idle, incoming: { id: 'call-3', caller: '2003' } });
    notes[2].emit('action', {}, 1);
    expect(acted.at(-1)).toEqual(['decline', 'call-3']);
  });

  it('one notification per ringing call, gone when the caller gives up', () => {
    const { host, notes } = setup('linux');
    host.publish(ringing);
    host.publish(ringing);
    expect(notes).toHaveLength(1);
    expect(notes[0].options.actions).toBeUndefined(); // Linux: Electron shows no buttons; a click opens the window
    host.publish(idle);
    expect(notes[0].closed).toBe(true);
  });

  it('Windows: the toast buttons carry a per-run token; a link without it (a web page) does nothing', () => {
    const { host, notes, acted, notifier } = setup('win32');
    host.publish({ ...idle, incoming: { id: 'c<1>', caller: 'Eve"/><action content="x' } });
    const xml = notes[0].options.toastXml!;
    expect(xml).not.toContain('Eve"/>');
    expect(xml).toContain('Eve&quot;/&gt;&lt;action');
    const answerUrl = /arguments="([^"]+)"/.exec(xml)![1].replace(/&amp;/g, '&');
    expect(answerUrl).toBe(notifier.actionUrl('answer', 'c<1>'));
    expect(host.handleLink(answerUrl)).toBe(true);
    expect(acted).toEqual([['answer', 'c<1>']]);
    expect(host.handleLink('whisperline:call-action?do=decline&call=c%3C1%3E&t=0000')).toBe(false);
    expect(host.handleLink(answerUrl.replace(/t=\w+/, 't='))).toBe(false);
    expect(host.handleLink('whisperline:call-action?do=hangup&call=x&t=' + notifier.token)).toBe(false);
    expect(acted).toHaveLength(1);
  });

  it("a toast link captured in one run opens nothing after a restart (the token is new each run)", () => {
    const before = new IncomingCallNotifier({ platform: 'win32', create: () => new FakeNotification({} as NotificationOptions), act: () => undefined });
    const after = new IncomingCallNotifier({ platform: 'win32', create: () => new FakeNotification({} as NotificationOptions), act: () => undefined });
    const captured = before.actionUrl('answer', 'call-1');
    expect(before.parseActionUrl(captured)).toEqual({ action: 'answer', callId: 'call-1' });
    expect(after.parseActionUrl(captured)).toBeNull();
  });

  it('a notification the OS refuses does not stop the call', () => {
    const notifier = new IncomingCallNotifier({ platform: 'linux', create: () => { throw new Error('no notification daemon'); }, act: () => undefined });
    expect(() => notifier.update(ringing, en)).not.toThrow();
  });

  it('escapes every value in the toast XML', () => {
    expect(toastXml('a&b', '<c>', [{ text: "d'e", url: 'whisperline:x?a=1&b=2' }])).toContain('a&amp;b</text><text>&lt;c&gt;</text>');
  });
});

describe('tray', () => {
  it('shows registration and agent state, then the call, with the actions that apply', () => {
    const { host, tray, menuItem, acted } = setup('linux');
    host.publish(idle);
    expect(tray.tooltip).toBe('Whisperline — Signed in · Ready');
    expect(menuItem('Answer')).toBeUndefined();
    host.publish(ringing);
    expect(tray.tooltip).toBe('Whisperline — Incoming call from Ann Lee');
    menuItem('Answer')!.click!();
    host.publish(onCall);
    expect(tray.tooltip).toBe('Whisperline — On a call with Ann Lee');
    menuItem('Mute')!.click!();
    menuItem('Hold')!.click!();
    menuItem('Hang up')!.click!();
    tray.click();
    expect(acted).toEqual([['answer', null], ['toggle-mute', null], ['toggle-hold', null], ['hangup', null], ['show', null]]);
  });

  it('the mini window entry opens it, and it gets every state from then on', () => {
    const { host, menuItem, miniStates } = setup('linux');
    host.publish(idle);
    menuItem('Mini call window')!.click!();
    expect(menuItem('Mini call window')!.checked).toBe(true);
    host.publish(onCall);
    expect(miniStates).toEqual([onCall]);
  });

  it('colours: grey signed out, amber not ready or on hold, blue ringing; German when chosen', () => {
    const de = hostTextFor('de', 'en-US');
    expect(trayModel({ ...idle, registration: 'offline' }, en, false).colour).toBe('grey');
    expect(trayModel({ ...idle, agentState: 'not-ready' }, de, false).tooltip).toBe('Whisperline — Angemeldet · Nicht bereit');
    expect(trayModel(ringing, en, false).colour).toBe('blue');
    const icon = trayIconBitmap('green', 16);
    expect(icon.length).toBe(16 * 16 * 4);
    expect(icon[(8 * 16 + 8) * 4 + 3]).toBe(255); // opaque centre
    expect(icon[3]).toBe(0); // transparent corner
  });
});

describe('what the page may publish', () => {
  it('refuses oversized or unknown fields', () => {
    expect(hostCallStateSchema.safeParse(ringing).success).toBe(true);
    expect(hostCallStateSchema.safeParse({ ...ringing, incoming: { id: 'x', caller: 'y'.repeat(5000) } }).success).toBe(false);
    expect(hostCallStateSchema.safeParse({ ...ringing, extra: 1 }).success).toBe(false);
  });
});
