import { describe, expect, it, vi } from 'vitest';
import { HeadsetControl, headsetStateOf, type HeadsetCallState, type HeadsetStatus, type HidDeviceLike, type HidInputReportEventLike, type HidLike } from './headsetControl';
import type { HidCollectionLike } from './hidTelephony';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { createInstance } from 'i18next';
import { I18nextProvider, initReactI18next } from 'react-i18next';
import { HeadsetSection, headsetStatusText } from '../views/HeadsetSection';
import en from '../i18n/locales/en/desktop.json';
import de from '../i18n/locales/de/desktop.json';
import { fakeHidInitScript, simulatedHeadsetCollections, type FakeHeadsetHandle, type FakeHidConfig } from '../../../tests/support/fakeHid';

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));
const view = (...bytes: number[]) => new DataView(new Uint8Array(bytes).buffer);

class TestDevice implements HidDeviceLike {
  opened = false;
  failOpen = false;
  failSend = false;
  readonly vendorId = 0x0b0e;
  readonly productId = 0x0422;
  readonly sent: Array<[number, number[]]> = [];
  private readonly listeners = new Set<(e: HidInputReportEventLike) => void>();
  constructor(
    readonly collections: HidCollectionLike[] = simulatedHeadsetCollections,
    readonly productName = 'Desk Headset 520',
  ) {}
  async open() {
    if (this.failOpen) throw new Error('NotAllowedError: Failed to open the device.');
    this.opened = true;
  }
  async close() {
    this.opened = false;
  }
  async sendReport(reportId: number, data: Uint8Array) {
    if (this.failSend) throw new Error('NotAllowedError: Failed to write the report.');
    this.sent.push([reportId, Array.from(data)]);
  }
  addEventListener(_type: 'inputreport', l: (e: HidInputReportEventLike) => void) {
    this.listeners.add(l);
  }
  removeEventListener(_type: 'inputreport', l: (e: HidInputReportEventLike) => void) {
    this.listeners.delete(l);
  }
  /** An input report as WebHID delivers it: report id apart, data without it. */
  input(reportId: number, ...bytes: number[]) {
    for (const l of this.listeners) l({ device: this, reportId, data: view(...bytes) });
  }
  get lastLeds() {
    return this.sent.at(-1)?.[1][0];
  }
}

class TestHid implements HidLike {
  chosen: HidDeviceLike[] = [];
  granted: HidDeviceLike[] = [];
  private readonly listeners = { connect: new Set<(e: { device: HidDeviceLike }) => void>(), disconnect: new Set<(e: { device: HidDeviceLike }) => void>() };
  requestDevice = vi.fn(async (_o: { filters: Array<{ usagePage?: number }> }) => this.chosen);
  getDevices = vi.fn(async () => this.granted);
  addEventListener(type: 'connect' | 'disconnect', l: (e: { device: HidDeviceLike }) => void) {
    this.listeners[type].add(l);
  }
  removeEventListener(type: 'connect' | 'disconnect', l: (e: { device: HidDeviceLike }) => void) {
    this.listeners[type].delete(l);
  }
  emit(type: 'connect' | 'disconnect', device: HidDeviceLike) {
    for (const l of this.listeners[type]) l({ device });
  }
}

const call = (p: Partial<HeadsetCallState> = {}): HeadsetCallState => ({ ringing: false, inCall: false, muted: false, onHold: false, ...p });
// Simulated headset bits: input 2 = hook 0x01, mute 0x04, flash 0x08; output 2 = off-hook 0x01, mute 0x02, ring 0x04.
const HOOK = 0x01;
const MUTE = 0x04;
const FLASH = 0x08;

async function setup(device = new TestDevice()) {
  const hid = new TestHid();
  hid.chosen = [device];
  const actions = { answer: vi.fn(), hangup: vi.fn(), toggleMute: vi.fn(), toggleHold: vi.fn() };
  const log = vi.fn();
  const headset = new HeadsetControl(hid, actions, { log });
  await headset.connect();
  await tick();
  return { hid, device, actions, log, headset };
}

describe('HeadsetControl: buttons', () => {
  it('answers when the headset goes off-hook while ringing, and only then', async () => {
    const { device, actions, headset } = await setup();
    device.input(2, HOOK); // lifted with no call: nothing to answer
    headset.update(call({ ringing: true }));
    device.input(2, 0);
    expect(actions.answer).not.toHaveBeenCalled();
    device.input(2, HOOK);
    expect(actions.answer).toHaveBeenCalledTimes(1);
    expect(actions.hangup).not.toHaveBeenCalled();
  });

  it('hangs up when the hook goes back on in a call', async () => {
    const { device, actions, headset } = await setup();
    headset.update(call({ ringing: true }));
    device.input(2, HOOK);
    headset.update(call({ inCall: true }));
    device.input(2, HOOK | MUTE); // a mute press carries the hook bit too: no hang-up
    device.input(2, HOOK);
    expect(actions.hangup).not.toHaveBeenCalled();
    device.input(2, 0);
    expect(actions.hangup).toHaveBeenCalledTimes(1);
  });

  it('does not misread the headset echoing the Off-Hook LED after the agent answered in the app', async () => {
    const { device, actions, headset } = await setup();
    headset.update(call({ ringing: true }));
    headset.update(call({ inCall: true })); // clicked Answer in the window
    await tick();
    expect(device.lastLeds).toBe(0b001);
    device.input(2, HOOK); // the headset follows the LED and says so
    expect(actions.answer).not.toHaveBeenCalled();
    expect(actions.hangup).not.toHaveBeenCalled();
    device.input(2, 0); // the agent's next press
    expect(actions.hangup).toHaveBeenCalledTimes(1);
  });

  it('hangs up on the next press after the agent answered in the app, from a headset that follows the LED silently', async () => {
    const { device, actions, headset } = await setup();
    headset.update(call({ ringing: true }));
    headset.update(call({ inCall: true })); // the headset is now off-hook, without a report
    device.input(2, 0); // the agent presses the hook button: back on hook
    expect(actions.hangup).toHaveBeenCalledTimes(1);
    headset.update(call()); // hung up in the app: the headset goes on hook, silently
    headset.update(call({ ringing: true }));
    device.input(2, HOOK);
    expect(actions.answer).toHaveBeenCalledTimes(1);
  });

  it('puts a headset lifted with no call back on hook', async () => {
    const { device, actions } = await setup();
    expect(device.sent).toEqual([[2, [0]]]);
    device.input(2, HOOK);
    await tick();
    expect(device.sent).toEqual([
      [2, [0]],
      [2, [0]],
    ]);
    expect(actions.answer).not.toHaveBeenCalled();
  });

  it('toggles mute once per press (0 to 1), only in a call', async () => {
    const { device, actions, headset } = await setup();
    device.input(2, MUTE);
    device.input(2, 0);
    expect(actions.toggleMute).not.toHaveBeenCalled();
    headset.update(call({ inCall: true }));
    device.input(2, HOOK | MUTE);
    device.input(2, HOOK | MUTE); // repeated while held
    expect(actions.toggleMute).toHaveBeenCalledTimes(1);
    device.input(2, HOOK); // released
    expect(actions.toggleMute).toHaveBeenCalledTimes(1);
    device.input(2, HOOK | MUTE);
    expect(actions.toggleMute).toHaveBeenCalledTimes(2);
  });

  it('toggles hold on Flash in a call', async () => {
    const { device, actions, headset } = await setup();
    headset.update(call({ inCall: true }));
    device.input(2, HOOK | FLASH);
    device.input(2, HOOK);
    expect(actions.toggleHold).toHaveBeenCalledTimes(1);
  });

  it('treats a relative hook switch as a button: each press answers or hangs up', async () => {
    const relative = simulatedHeadsetCollections.map((c) => ({
      ...c,
      inputReports: c.inputReports?.map((r) => ({ ...r, items: r.items?.map((i) => (i.usages?.includes(0x0b0020) ? { ...i, isAbsolute: false } : i)) })),
    }));
    const { device, actions, headset } = await setup(new TestDevice(relative));
    headset.update(call({ ringing: true }));
    device.input(2, HOOK);
    device.input(2, 0); // release
    expect(actions.answer).toHaveBeenCalledTimes(1);
    headset.update(call({ inCall: true }));
    device.input(2, 0);
    expect(actions.hangup).not.toHaveBeenCalled();
    device.input(2, HOOK);
    expect(actions.hangup).toHaveBeenCalledTimes(1);
    expect(actions.answer).toHaveBeenCalledTimes(1);
  });

  it('ignores short, empty and foreign reports without throwing', async () => {
    const { device, actions, headset } = await setup();
    headset.update(call({ ringing: true }));
    expect(() => device.input(2)).not.toThrow();
    device.input(1, 0xff); // volume keys
    device.input(9, HOOK);
    expect(actions.answer).not.toHaveBeenCalled();
    device.input(2, HOOK);
    expect(actions.answer).toHaveBeenCalledTimes(1);
  });

  it('keeps going when an action throws or rejects', async () => {
    const { device, log, headset } = await setup();
    const hid = new TestHid();
    hid.chosen = [device];
    const failing = new HeadsetControl(hid, { answer: () => Promise.reject(new Error('no call')), hangup: () => { throw new Error('boom'); }, toggleMute: vi.fn() }, { log });
    await headset.close();
    await failing.connect();
    failing.update(call({ ringing: true }));
    expect(() => device.input(2, HOOK)).not.toThrow();
    failing.update(call({ inCall: true }));
    expect(() => device.input(2, 0)).not.toThrow();
    await tick();
    expect(log.mock.calls.map((c) => c[0])).toEqual(expect.arrayContaining(['answer failed', 'hangup failed']));
  });
});

describe('HeadsetControl: LEDs', () => {
  it('lights Ring, Off-Hook and Mute from the call state, with the right bits', async () => {
    const { device, headset } = await setup();
    headset.update(call({ ringing: true }));
    headset.update(call({ inCall: true }));
    headset.update(call({ inCall: true, muted: true }));
    headset.update(call({ inCall: true, muted: true, ringing: true })); // a second call waiting
    headset.update(call());
    await tick();
    expect(device.sent.map(([id, [b]]) => [id, b])).toEqual([
      [2, 0b000],
      [2, 0b100],
      [2, 0b001],
      [2, 0b011],
      [2, 0b111],
      [2, 0b000],
    ]);
  });

  it('sends nothing when the LEDs would not change', async () => {
    const { device, headset } = await setup();
    headset.update(call({ inCall: true }));
    headset.update(call({ inCall: true }));
    headset.update(call({ inCall: true, onHold: true })); // no Hold LED, but the state differs
    headset.update(call({ inCall: true, onHold: true }));
    await tick();
    expect(device.sent).toHaveLength(3);
  });

  it('logs a failed LED report, never throws, and sends again on the next update', async () => {
    const { device, log, headset } = await setup();
    device.failSend = true;
    expect(() => headset.update(call({ inCall: true }))).not.toThrow();
    await tick();
    expect(log).toHaveBeenCalledWith('sendReport 2 failed', expect.any(Error));
    device.failSend = false;
    headset.update(call({ inCall: true }));
    await tick();
    expect(device.sent.at(-1)).toEqual([2, [0b001]]);
  });

  it('tells a headset plugged in mid-call about the call at once', async () => {
    const device = new TestDevice();
    const hid = new TestHid();
    hid.chosen = [device];
    const headset = new HeadsetControl(hid, { answer: vi.fn(), hangup: vi.fn(), toggleMute: vi.fn() });
    headset.update(call({ inCall: true, muted: true }));
    await headset.connect();
    await tick();
    expect(device.sent).toEqual([[2, [0b011]]]);
  });
});

describe('HeadsetControl: devices and status', () => {
  it('is unsupported without WebHID, and connect() does nothing', async () => {
    const headset = new HeadsetControl(null, { answer: vi.fn(), hangup: vi.fn(), toggleMute: vi.fn() });
    expect(headset.status).toMatchObject({ state: 'unsupported', deviceName: null });
    expect(await headset.connect()).toMatchObject({ state: 'unsupported' });
    expect(() => headset.update(call({ ringing: true }))).not.toThrow();
  });

  it('asks for a telephony device and reports it connected by name', async () => {
    const hid = new TestHid();
    const device = new TestDevice();
    hid.chosen = [device];
    const headset = new HeadsetControl(hid, { answer: vi.fn(), hangup: vi.fn(), toggleMute: vi.fn() });
    const seen: string[] = [];
    headset.subscribe((s) => seen.push(s.state));
    expect(headset.status.state).toBe('none');
    await headset.connect();
    expect(hid.requestDevice).toHaveBeenCalledWith({ filters: [{ usagePage: 0x0b }] });
    expect(device.opened).toBe(true);
    expect(headset.status).toMatchObject({ state: 'connected', deviceName: 'Desk Headset 520' });
    expect(seen).toEqual(['connected']);
  });

  it('says plainly when the chosen device has no call buttons', async () => {
    const mouse = new TestDevice([{ usagePage: 0x01, usage: 0x02, inputReports: [{ reportId: 0, items: [{ usages: [0x090001], reportSize: 1, reportCount: 3 }] }] }], 'Office Mouse');
    const hid = new TestHid();
    hid.chosen = [mouse];
    const headset = new HeadsetControl(hid, { answer: vi.fn(), hangup: vi.fn(), toggleMute: vi.fn() });
    await headset.connect();
    expect(mouse.opened).toBe(false);
    expect(headset.status).toMatchObject({ state: 'error', deviceName: 'Office Mouse', reason: 'no-telephony' });
    expect(headset.status.message).toMatch(/Office Mouse has no call buttons/);
  });

  it('stays as it was when the chooser is cancelled, and reports a device that cannot be opened', async () => {
    const hid = new TestHid();
    const headset = new HeadsetControl(hid, { answer: vi.fn(), hangup: vi.fn(), toggleMute: vi.fn() }, { log: vi.fn() });
    expect(await headset.connect()).toMatchObject({ state: 'none', reason: 'not-chosen' });
    const busy = new TestDevice();
    busy.failOpen = true;
    hid.chosen = [busy];
    expect(await headset.connect()).toMatchObject({ state: 'error', reason: 'open-failed', deviceName: 'Desk Headset 520' });
    hid.requestDevice.mockRejectedValueOnce(new Error('Must be handling a user gesture to show a permission request.'));
    expect(await headset.connect()).toMatchObject({ state: 'error', reason: 'request-failed' });
  });

  it('keeps the headset in use when choosing another one fails or is cancelled', async () => {
    const { hid, device, actions, headset } = await setup();
    hid.requestDevice.mockRejectedValueOnce(new Error('Must be handling a user gesture to show a permission request.'));
    expect(await headset.connect()).toMatchObject({ state: 'connected' });
    hid.chosen = [];
    expect(await headset.connect()).toMatchObject({ state: 'connected' });
    headset.update(call({ ringing: true }));
    device.input(2, HOOK);
    expect(actions.answer).toHaveBeenCalledTimes(1);
  });

  it('restores a granted headset without asking, passing over other granted devices', async () => {
    const hid = new TestHid();
    const keyboard = new TestDevice([{ usagePage: 0x01, usage: 0x06 }], 'Keyboard');
    const device = new TestDevice();
    hid.granted = [keyboard, device];
    const headset = new HeadsetControl(hid, { answer: vi.fn(), hangup: vi.fn(), toggleMute: vi.fn() });
    await headset.restore();
    expect(hid.requestDevice).not.toHaveBeenCalled();
    expect(keyboard.opened).toBe(false);
    expect(headset.status).toMatchObject({ state: 'connected', deviceName: 'Desk Headset 520' });
    hid.granted = [];
    const none = new HeadsetControl(hid, { answer: vi.fn(), hangup: vi.fn(), toggleMute: vi.fn() });
    expect(await none.restore()).toMatchObject({ state: 'none' });
  });

  it('shows an unplugged headset and takes it back when it returns', async () => {
    const { hid, device, actions, headset } = await setup();
    headset.update(call({ inCall: true }));
    hid.emit('disconnect', device);
    expect(headset.status).toMatchObject({ state: 'disconnected', deviceName: 'Desk Headset 520' });
    device.input(2, 0); // nothing arrives from a gone device, but if it did
    expect(actions.hangup).not.toHaveBeenCalled();
    hid.emit('connect', new TestDevice([{ usagePage: 0x01, usage: 0x06 }], 'Other')); // not ours
    await tick();
    expect(headset.status.state).toBe('disconnected');
    device.opened = false;
    device.sent.length = 0;
    hid.emit('connect', device);
    await tick();
    await tick();
    expect(headset.status.state).toBe('connected');
    expect(device.sent).toEqual([[2, [0b001]]]); // told about the call again
  });

  it('maps the host call state onto the headset', () => {
    const host = { incoming: null, active: null };
    expect(headsetStateOf(host)).toEqual(call());
    expect(headsetStateOf({ ...host, incoming: { id: 'b', caller: '2001' }, active: { id: 'a', peer: '2002', onHold: true, muted: true, connectedAt: 1 } })).toEqual(
      call({ ringing: true, inCall: true, muted: true, onHold: true }),
    );
  });
});

/** The e2e tests' simulated headset, run here over plain globals: it and the control must agree. */
function installFake(overrides: Partial<FakeHidConfig> = {}, storage = new Map<string, string>(), userActivation?: { isActive: boolean }) {
  class Navigator {}
  const navigator = new Navigator() as { hid?: HidLike; userActivation?: { isActive: boolean } };
  navigator.userActivation = userActivation;
  const window = {
    localStorage: { getItem: (k: string) => storage.get(k) ?? null, setItem: (k: string, v: string) => void storage.set(k, v), removeItem: (k: string) => void storage.delete(k) },
  } as { __fakeHeadset?: FakeHeadsetHandle };
  new Function('window', 'navigator', 'Navigator', fakeHidInitScript(overrides))(window, navigator, Navigator);
  return { hid: navigator.hid!, fake: window.__fakeHeadset!, storage };
}
const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the simulated headset for e2e (tests/support/fakeHid.ts)', () => {
  it('answers, echoes, mutes and hangs up through HeadsetControl like a real headset', async () => {
    const { hid, fake } = installFake();
    const actions = { answer: vi.fn(), hangup: vi.fn(), toggleMute: vi.fn() };
    const headset = new HeadsetControl(hid, actions);
    await headset.connect();
    expect(headset.status).toMatchObject({ state: 'connected', deviceName: 'Simulated Telephony Headset' });
    expect(fake.opened()).toBe(true);
    headset.update(call({ ringing: true }));
    await wait(5);
    expect(fake.leds()).toEqual({ offHook: false, mute: false, ring: true, hold: false });
    fake.press('hook-off');
    expect(actions.answer).toHaveBeenCalledTimes(1);
    headset.update(call({ inCall: true }));
    await wait(5);
    expect(fake.leds()).toMatchObject({ offHook: true, ring: false });
    fake.press('mute');
    await wait(50);
    expect(actions.toggleMute).toHaveBeenCalledTimes(1);
    headset.update(call({ inCall: true, muted: true }));
    await wait(5);
    expect(fake.leds()).toMatchObject({ offHook: true, mute: true });
    fake.press('hook-on');
    expect(actions.hangup).toHaveBeenCalledTimes(1);
    expect(fake.outputs.every((o) => o.reportId === 2 && o.bytes.length === 1)).toBe(true);
  });

  it('follows the Off-Hook LED when the app answers, and the echo changes nothing', async () => {
    const { hid, fake } = installFake();
    const actions = { answer: vi.fn(), hangup: vi.fn(), toggleMute: vi.fn() };
    const headset = new HeadsetControl(hid, actions);
    await headset.connect();
    headset.update(call({ ringing: true }));
    headset.update(call({ inCall: true }));
    await wait(10);
    expect(fake.hook()).toBe(true);
    expect(actions.answer).not.toHaveBeenCalled();
    expect(actions.hangup).not.toHaveBeenCalled();
    fake.press('hook-on');
    expect(actions.hangup).toHaveBeenCalledTimes(1);
  });

  it('is granted once, then restored without a prompt; unplug and plug reconnect', async () => {
    const first = installFake();
    await new HeadsetControl(first.hid, { answer: vi.fn(), hangup: vi.fn(), toggleMute: vi.fn() }).connect();
    const reload = installFake({}, first.storage);
    const headset = new HeadsetControl(reload.hid, { answer: vi.fn(), hangup: vi.fn(), toggleMute: vi.fn() });
    expect(await headset.restore()).toMatchObject({ state: 'connected' });
    reload.fake.unplug();
    expect(headset.status.state).toBe('disconnected');
    reload.fake.plug();
    await wait(5);
    expect(headset.status.state).toBe('connected');
    expect(reload.fake.opened()).toBe(true);
  });

  it('refuses requestDevice without a user gesture, as Chromium does', async () => {
    const { hid } = installFake({}, new Map(), { isActive: false });
    const headset = new HeadsetControl(hid, { answer: vi.fn(), hangup: vi.fn(), toggleMute: vi.fn() }, { log: vi.fn() });
    expect(await headset.connect()).toMatchObject({ state: 'error', reason: 'request-failed' });
  });
});

describe('Settings → Headset buttons texts', () => {
  const statuses: HeadsetStatus[] = [
    { state: 'unsupported', deviceName: null, message: '' },
    { state: 'none', deviceName: null, message: '' },
    { state: 'none', deviceName: null, message: '', reason: 'not-chosen' },
    { state: 'connected', deviceName: 'Desk Headset 520', message: '' },
    { state: 'disconnected', deviceName: 'Desk Headset 520', message: '', reason: 'unplugged' },
    { state: 'error', deviceName: 'Office Mouse', message: '', reason: 'no-telephony' },
    { state: 'error', deviceName: 'Desk Headset 520', message: '', reason: 'open-failed', detail: 'busy' },
    { state: 'error', deviceName: null, message: '', reason: 'request-failed', detail: 'Must be handling a user gesture' },
  ];
  const lookup = (bundle: typeof en, key: string) => (bundle.headset as Record<string, string>)[key.replace(/^headset\./, '')];
  const placeholders = (text: string) => [...text.matchAll(/{{(\w+)}}/g)].map((m) => m[1]).sort();

  it('has every status text in English and German, with the same placeholders, all filled', () => {
    for (const status of statuses) {
      const { key, values } = headsetStatusText(status);
      const english = lookup(en, key);
      const german = lookup(de, key);
      expect(english, `${key} (en)`).toBeTruthy();
      expect(german, `${key} (de)`).toBeTruthy();
      expect(placeholders(german)).toEqual(placeholders(english));
      // The view adds a name for a nameless device; every other value must come from the status.
      for (const p of placeholders(english)) expect(p === 'name' || values[p] !== undefined, `${key}: {{${p}}}`).toBe(true);
    }
    expect(Object.keys(de.headset).sort()).toEqual(Object.keys(en.headset).sort());
  });
});

describe('HeadsetSection', () => {
  async function render(status: HeadsetStatus, lng: 'en' | 'de' = 'en') {
    const i18n = createInstance();
    await i18n.use(initReactI18next).init({ lng, resources: { en: { desktop: en }, de: { desktop: de } }, ns: ['desktop'], interpolation: { escapeValue: false } });
    return renderToStaticMarkup(createElement(I18nextProvider, { i18n }, createElement(HeadsetSection, { status, onConnect: () => undefined })));
  }

  it('shows the title, the device by name in a polite live region, and the connect button', async () => {
    const html = await render({ state: 'connected', deviceName: 'Desk Headset 520', message: '' });
    expect(html).toContain('Headset buttons');
    expect(html).toMatch(/<[^>]*aria-live="polite"[^>]*>Connected: Desk Headset 520\./);
    expect(html).toMatch(/<button[^>]*data-testid="headset-connect"[^>]*>Connect headset<\/button>/);
    expect(await render({ state: 'disconnected', deviceName: 'Desk Headset 520', message: '', reason: 'unplugged' }, 'de')).toContain('Desk Headset 520 wurde getrennt.');
  });

  it('disables the button where the browser has no WebHID', async () => {
    const html = await render({ state: 'unsupported', deviceName: null, message: '', reason: 'no-webhid' });
    expect(html).toMatch(/<button[^>]*disabled=""[^>]*data-testid="headset-connect"|<button[^>]*data-testid="headset-connect"[^>]*disabled=""/);
    expect(html).toContain('This browser cannot read headset buttons.');
  });
});
