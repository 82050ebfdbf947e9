import type { HostCallState } from '../../shared/bridge';
import { decodeInput, encodeLeds, telephonyLayout, type HidCollectionLike, type LedState, type TelephonyLayout } from './hidTelephony';

/**
 * Call control from a USB headset's buttons (WebHID, HID Telephony page): hook switch answers and
 * hangs up, Phone Mute toggles mute, Flash toggles hold; the app's call state goes back as the
 * headset's LEDs. Never throws into the call: device failures are logged and shown as status.
 */

/** The part of `HIDInputReportEvent` used here. */
export interface HidInputReportEventLike {
  device: HidDeviceLike;
  reportId: number;
  data: DataView;
}

/** The part of WebHID's `HIDDevice` used here. */
export interface HidDeviceLike {
  readonly opened: boolean;
  readonly productName: string;
  readonly vendorId: number;
  readonly productId: number;
  readonly collections: readonly HidCollectionLike[];
  open(): Promise<void>;
  close(): Promise<void>;
  sendReport(reportId: number, data: Uint8Array): Promise<void>;
  addEventListener(type: 'inputreport', listener: (event: HidInputReportEventLike) => void): void;
  removeEventListener(type: 'inputreport', listener: (event: HidInputReportEventLike) => void): void;
}

/** The part of `navigator.hid` used here. */
export interface HidLike {
  getDevices(): Promise<HidDeviceLike[]>;
  requestDevice(options: { filters: Array<{ usagePage?: number; usage?: number; vendorId?: number; productId?: number }> }): Promise<HidDeviceLike[]>;
  addEventListener(type: 'connect' | 'disconnect', listener: (event: { device: HidDeviceLike }) => void): void;
  removeEventListener(type: 'connect' | 'disconnect', listener: (event: { device: HidDeviceLike }) => void): void;
}

/** What the headset's buttons ask of the phone; each may be async (a rejection is logged). */
export interface HeadsetActions {
  answer(): unknown;
  hangup(): unknown;
  toggleMute(): unknown;
  toggleHold?(): unknown;
}

export interface HeadsetCallState {
  ringing: boolean;
  inCall: boolean;
  muted: boolean;
  onHold: boolean;
}

export type HeadsetState = 'unsupported' | 'none' | 'connected' | 'disconnected' | 'error';
/** Why, for the view's translated text (`message` is the English sentence). */
export type HeadsetReason = 'no-webhid' | 'not-chosen' | 'no-telephony' | 'open-failed' | 'request-failed' | 'unplugged';

export interface HeadsetStatus {
  state: HeadsetState;
  deviceName: string | null;
  message: string;
  reason?: HeadsetReason;
  /** The browser's own words for a failure, when there was one. */
  detail?: string;
}

export interface HeadsetOptions {
  log?(message: string, error?: unknown): void;
}

/** `navigator.hid` where the browser has WebHID (Chromium, Electron); null elsewhere (Firefox, Safari). */
export function navigatorHid(): HidLike | null {
  const nav = (globalThis as { navigator?: { hid?: HidLike } }).navigator;
  return nav?.hid ?? null;
}

/** The headset's view of the calls, from what the tray and mini window already get. */
export function headsetStateOf(host: Pick<HostCallState, 'incoming' | 'active'>): HeadsetCallState {
  return { ringing: host.incoming !== null, inCall: host.active !== null, muted: host.active?.muted ?? false, onHold: host.active?.onHold ?? false };
}

const idle: HeadsetCallState = { ringing: false, inCall: false, muted: false, onHold: false };
const sameLeds = (a: LedState | null, b: LedState) => !!a && a.offHook === b.offHook && a.mute === b.mute && a.ring === b.ring && a.hold === b.hold;

export class HeadsetControl {
  private device: HidDeviceLike | null = null;
  private layout: TelephonyLayout | null = null;
  /** The last device used, to take it back when it is plugged in again. */
  private known: { vendorId: number; productId: number; name: string } | null = null;
  private call: HeadsetCallState = idle;
  private sent: LedState | null = null;
  /**
   * The hook state the headset holds now as far as we know: what it last reported, or the Off-Hook
   * LED we last sent (headsets take that as their hook state). A report equal to it is an echo.
   */
  private deviceHook = false;
  private buttons = { hookSwitch: false, phoneMute: false, flash: false };
  private sending: Promise<void> = Promise.resolve();
  private current: HeadsetStatus;
  private readonly listeners = new Set<(status: HeadsetStatus) => void>();
  private readonly log: (message: string, error?: unknown) => void;

  constructor(
    private readonly hid: HidLike | null | undefined,
    private readonly actions: HeadsetActions,
    options: HeadsetOptions = {},
  ) {
    this.log = options.log ?? ((message, error) => console.warn(`[headset] ${message}`, error ?? ''));
    this.current = hid
      ? { state: 'none', deviceName: null, message: 'No headset connected.' }
      : { state: 'unsupported', deviceName: null, message: 'This browser cannot read headset buttons (no WebHID). Use the desktop app, Chrome or Edge.', reason: 'no-webhid' };
    hid?.addEventListener('connect', this.onConnect);
    hid?.addEventListener('disconnect', this.onDisconnect);
  }

  get status(): HeadsetStatus {
    return this.current;
  }

  /** Bound, so it can go straight to `useSyncExternalStore(headset.subscribe, () => headset.status)`. */
  readonly subscribe = (listener: (status: HeadsetStatus) => void): (() => void) => {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  };

  /** Asks the user to pick a headset (needs a user gesture: call it from a click). */
  async connect(): Promise<HeadsetStatus> {
    if (!this.hid) return this.current;
    let devices: HidDeviceLike[];
    try {
      devices = await this.hid.requestDevice({ filters: [{ usagePage: 0x0b }] });
    } catch (e) {
      this.log('requestDevice failed', e);
      // The headset in use keeps working: its status stays.
      if (this.device) return this.current;
      const detail = String((e as Error)?.message ?? e);
      return this.setStatus({ state: 'error', deviceName: null, message: `The headset could not be connected: ${detail}`, reason: 'request-failed', detail });
    }
    if (!devices.length) {
      if (this.device) return this.current;
      return this.setStatus({ state: 'none', deviceName: null, message: 'No headset was chosen.', reason: 'not-chosen' });
    }
    const usable = devices.find((d) => telephonyLayout(d.collections));
    if (!usable) {
      if (this.device) return this.current;
      const name = devices[0].productName || 'This device';
      return this.setStatus({ state: 'error', deviceName: name, message: `${name} has no call buttons this app can use (no hook switch or mute in a Telephony collection).`, reason: 'no-telephony' });
    }
    await this.attach(usable);
    return this.current;
  }

  /** Takes back a headset granted before (no prompt): at start-up. */
  async restore(): Promise<HeadsetStatus> {
    if (!this.hid || this.device) return this.current;
    let devices: HidDeviceLike[] = [];
    try {
      devices = await this.hid.getDevices();
    } catch (e) {
      this.log('getDevices failed', e);
    }
    // Other granted HID devices (not headsets) are passed over quietly.
    const usable = devices.find((d) => telephonyLayout(d.collections));
    if (usable) await this.attach(usable);
    return this.current;
  }

  /** The app's call state, on every change: answers the headset's buttons and lights its LEDs. */
  update(state: HeadsetCallState): void {
    this.call = { ...state };
    this.flushLeds();
  }

  /** Lets the device go (e.g. the app closes). */
  async close(): Promise<void> {
    this.hid?.removeEventListener('connect', this.onConnect);
    this.hid?.removeEventListener('disconnect', this.onDisconnect);
    const device = this.detach();
    await device?.close().catch((e: unknown) => this.log('close failed', e));
  }

  private setStatus(status: HeadsetStatus): HeadsetStatus {
    this.current = status;
    for (const l of this.listeners) {
      try {
        l(status);
      } catch (e) {
        this.log('status listener failed', e);
      }
    }
    return status;
  }

  private async attach(device: HidDeviceLike): Promise<void> {
    const layout = telephonyLayout(device.collections);
    const name = device.productName || 'USB headset';
    if (!layout) return;
    if (this.device && this.device !== device) await this.detach()?.close().catch(() => undefined);
    try {
      if (!device.opened) await device.open();
    } catch (e) {
      this.log(`could not open ${name}`, e);
      this.setStatus({ state: 'error', deviceName: name, message: `${name} could not be opened; another app may be using it.`, reason: 'open-failed', detail: String((e as Error)?.message ?? e) });
      return;
    }
    if (this.device !== device) device.addEventListener('inputreport', this.onInput);
    this.device = device;
    this.layout = layout;
    this.known = { vendorId: device.vendorId, productId: device.productId, name };
    this.sent = null;
    this.deviceHook = false;
    this.buttons = { hookSwitch: false, phoneMute: false, flash: false };
    this.setStatus({ state: 'connected', deviceName: name, message: `${name} is connected: answer, hang up and mute with its buttons.` });
    // The headset learns the call state at once (a call may be up already).
    this.flushLeds();
  }

  private detach(): HidDeviceLike | null {
    const device = this.device;
    device?.removeEventListener('inputreport', this.onInput);
    this.device = null;
    this.layout = null;
    return device;
  }

  private readonly onConnect = (event: { device: HidDeviceLike }): void => {
    const { device } = event;
    const known = this.known;
    // A plugged-in device is taken when it is the one we had, or when none was ever chosen.
    if (this.device || (known && (device.vendorId !== known.vendorId || device.productId !== known.productId))) return;
    if (this.current.state === 'unsupported') return;
    void this.attach(device).catch((e: unknown) => this.log('reconnect failed', e));
  };

  private readonly onDisconnect = (event: { device: HidDeviceLike }): void => {
    if (event.device !== this.device) return;
    const name = this.known?.name ?? 'The headset';
    this.detach();
    this.setStatus({ state: 'disconnected', deviceName: name, message: `${name} was unplugged; plug it back in and it reconnects by itself.`, reason: 'unplugged' });
  };

  private readonly onInput = (event: HidInputReportEventLike): void => {
    try {
      if (event.device !== this.device || !this.layout) return;
      const input = decodeInput(this.layout, event.reportId, event.data);
      this.onButtons(input);
    } catch (e) {
      // A strange report never breaks the call.
      this.log('input report ignored', e);
    }
  };

  private onButtons(input: Partial<Record<'hookSwitch' | 'phoneMute' | 'flash', boolean>>): void {
    const layout = this.layout;
    if (!layout) return;
    const { ringing, inCall } = this.call;
    const pressed = (name: 'hookSwitch' | 'phoneMute' | 'flash') => {
      const now = input[name];
      if (now === undefined) return false;
      const was = this.buttons[name];
      this.buttons[name] = now;
      return now && !was;
    };
    if (input.hookSwitch !== undefined) {
      if (layout.inputs.hookSwitch?.absolute === false) {
        // A hook button that says "pressed": each press toggles.
        if (pressed('hookSwitch')) {
          if (ringing) this.run('answer');
          else if (inCall) this.run('hangup');
        }
      } else if (input.hookSwitch !== this.deviceHook) {
        this.deviceHook = input.hookSwitch;
        if (input.hookSwitch && ringing) this.run('answer');
        else if (!input.hookSwitch && inCall) this.run('hangup');
        // Lifted with no call to answer, or put down with none up: put the headset back in step.
        else this.flushLeds(true);
      }
    }
    if (pressed('phoneMute') && inCall) this.run('toggleMute');
    if (pressed('flash') && inCall && this.actions.toggleHold) this.run('toggleHold');
  }

  private run(action: keyof HeadsetActions): void {
    try {
      const result = this.actions[action]?.();
      if (result instanceof Promise) result.catch((e: unknown) => this.log(`${action} failed`, e));
    } catch (e) {
      this.log(`${action} failed`, e);
    }
  }

  /** Sends the LEDs when they change, or (`resync`) when the headset's hook state has drifted from them. */
  private flushLeds(resync = false): void {
    const device = this.device;
    const layout = this.layout;
    if (!device || !layout || !layout.outputReports.length) return;
    const { ringing, inCall, muted, onHold } = this.call;
    const leds: LedState = { offHook: inCall, mute: inCall && muted, ring: ringing, hold: inCall && onHold };
    const drifted = leds.offHook !== this.deviceHook;
    // Unchanged LEDs are not sent again, unless a hook report left the headset out of step with
    // them and no answer or hang-up is coming to fix that (those wait for the app's next update()).
    if (sameLeds(this.sent, leds) && !(resync && drifted)) return;
    this.sent = leds;
    this.deviceHook = leds.offHook;
    for (const { reportId, data } of encodeLeds(layout, leds)) {
      this.sending = this.sending.then(() =>
        device.sendReport(reportId, data).catch((e: unknown) => {
          this.log(`sendReport ${reportId} failed`, e);
          // Unknown what the headset shows now: send again on the next change.
          if (this.device === device) this.sent = null;
        }),
      );
    }
  }
}
