/**
 * A simulated USB telephony headset behind `navigator.hid`, for end-to-end tests in Chromium (which
 * has a real WebHID that would show a chooser and find no device). Install it before the app loads:
 *
 *   await context.addInitScript({ content: fakeHidInitScript() });
 *
 * Then drive it from the test:
 *
 *   await page.evaluate(() => window.__fakeHeadset.press('hook-off'));   // lift the hook: answer
 *   await page.evaluate(() => window.__fakeHeadset.leds());              // { offHook, mute, ring }
 *
 * The device behaves like a Jabra-style headset: an absolute Hook Switch whose state follows the
 * Off-Hook LED the host sets (and is reported back, as an echo the app must not act on), a relative
 * Phone Mute button (press and release), and LEDs Off-Hook, Mute and Ring in output report 2.
 */
import type { HidCollectionLike, HidReportItemLike } from '../../src/renderer/headset/hidTelephony';

/** A report item as Chromium fills it in (every member present). */
export function hidItem(partial: Partial<HidReportItemLike> & { reportSize: number; reportCount: number }): HidReportItemLike {
  return {
    isAbsolute: true,
    isArray: false,
    isConstant: false,
    isRange: false,
    hasNull: false,
    usages: [],
    usageMinimum: 0,
    usageMaximum: 0,
    logicalMinimum: 0,
    logicalMaximum: 1,
    ...partial,
    ...{ isBufferedBytes: false, isLinear: true, isVolatile: false, hasPreferredState: true, wrap: false, unitExponent: 0, unitSystem: 'none', physicalMinimum: 0, physicalMaximum: 0, strings: [] },
  } as HidReportItemLike;
}
export const hidPadding = (bits: number) => hidItem({ isConstant: true, reportSize: 1, reportCount: bits });

/**
 * The simulated headset's parsed descriptor (what `HIDDevice.collections` holds), modelled on a
 * Jabra/Poly-style USB headset: a Consumer Control collection (volume keys, report 1) beside the
 * Telephony Headset collection (report 2):
 *   input 2:  bit 0 Hook Switch (abs), bit 1 Line Busy Tone (abs), bit 2 Phone Mute (rel),
 *             bit 3 Flash (rel), bits 4-7 padding
 *   output 2: bit 0 LED Off-Hook, bit 1 LED Mute, bit 2 LED Ring (one item, three usages), bits 3-7 padding
 */
export const simulatedHeadsetCollections: HidCollectionLike[] = [
  {
    usagePage: 0x0c,
    usage: 0x01,
    type: 1,
    children: [],
    inputReports: [{ reportId: 1, items: [hidItem({ isAbsolute: false, usages: [0x0c00e9, 0x0c00ea], reportSize: 1, reportCount: 2 }), hidPadding(6)] }],
    outputReports: [],
    featureReports: [],
  },
  {
    usagePage: 0x0b,
    usage: 0x05,
    type: 1,
    children: [],
    inputReports: [
      {
        reportId: 2,
        items: [
          hidItem({ usages: [0x0b0020], reportSize: 1, reportCount: 1 }),
          hidItem({ usages: [0x0b0097], reportSize: 1, reportCount: 1 }),
          hidItem({ isAbsolute: false, usages: [0x0b002f], reportSize: 1, reportCount: 1 }),
          hidItem({ isAbsolute: false, usages: [0x0b0021], reportSize: 1, reportCount: 1 }),
          hidPadding(4),
        ],
      },
    ],
    outputReports: [{ reportId: 2, items: [hidItem({ usages: [0x080017, 0x080009, 0x080018], reportSize: 1, reportCount: 3 }), hidPadding(5)] }],
    featureReports: [],
  },
];

export const simulatedHeadset = {
  productName: 'Simulated Telephony Headset',
  vendorId: 0x0b0e,
  productId: 0x0422,
  collections: simulatedHeadsetCollections,
};

export interface FakeHidConfig {
  productName: string;
  vendorId: number;
  productId: number;
  collections: HidCollectionLike[];
  /** The hook state follows the Off-Hook LED and is reported back (as many headsets do). Default true. */
  echoHook?: boolean;
  /** requestDevice() needs a user gesture, as in Chromium. Default true. */
  requireGesture?: boolean;
  /** Plugged in when the page loads. Default true. */
  plugged?: boolean;
}

export type FakeHeadsetPress = 'hook-off' | 'hook-on' | 'mute' | 'flash';

/** What the page gets as `window.__fakeHeadset`. */
export interface FakeHeadsetHandle {
  press(what: FakeHeadsetPress): void;
  /** Every `sendReport`, oldest first. */
  outputs: Array<{ reportId: number; bytes: number[] }>;
  /** The LEDs as the latest output report set them; null before any. */
  leds(): { offHook: boolean; mute: boolean; ring: boolean; hold: boolean } | null;
  /** The headset's own hook state (true: off-hook). */
  hook(): boolean;
  opened(): boolean;
  unplug(): void;
  plug(): void;
}

/**
 * Installs the fake. Self-contained (Playwright sends its source to the page): it uses nothing from
 * this module, only its argument and the page's globals.
 */
export function installFakeHid(config: FakeHidConfig): void {
  const TELEPHONY_INPUT = { hook: 0x0b0020, mute: 0x0b002f, flash: 0x0b0021 } as const;
  const LEDS = { offHook: 0x080017, mute: 0x080009, ring: 0x080018, hold: 0x080020 } as const;
  type Item = HidReportItemLike;
  type Bit = { reportId: number; bit: number; length: number };

  // Where each usage sits, from the descriptor itself (LSB first, items in order).
  const locate = (kind: 'inputReports' | 'outputReports', usage: number): Bit | null => {
    for (const c of config.collections) {
      for (const r of c[kind] ?? []) {
        let offset = 0;
        const items: readonly Item[] = r.items ?? [];
        const length = Math.ceil(items.reduce((n, i) => n + (i.reportSize ?? 0) * (i.reportCount ?? 0), 0) / 8);
        for (const i of items) {
          const index = (i.usages ?? []).indexOf(usage);
          if (index >= 0 && !i.isConstant) return { reportId: r.reportId ?? 0, bit: offset + index * (i.reportSize ?? 0), length };
          offset += (i.reportSize ?? 0) * (i.reportCount ?? 0);
        }
      }
    }
    return null;
  };
  const inputs = { hook: locate('inputReports', TELEPHONY_INPUT.hook), mute: locate('inputReports', TELEPHONY_INPUT.mute), flash: locate('inputReports', TELEPHONY_INPUT.flash) };
  const leds = { offHook: locate('outputReports', LEDS.offHook), mute: locate('outputReports', LEDS.mute), ring: locate('outputReports', LEDS.ring), hold: locate('outputReports', LEDS.hold) };
  const grantKey = '__fakeHeadsetGranted';
  const storage = (): Storage | null => {
    try {
      return window.localStorage;
    } catch {
      return null;
    }
  };

  let plugged = config.plugged !== false;
  let granted = storage()?.getItem(grantKey) === '1';
  let hook = false;
  const outputs: FakeHeadsetHandle['outputs'] = [];
  const error = (name: string, message: string) => new DOMException(message, name);

  class FakeHidDevice extends EventTarget {
    opened = false;
    oninputreport: ((e: Event) => void) | null = null;
    readonly productName = config.productName;
    readonly vendorId = config.vendorId;
    readonly productId = config.productId;
    readonly collections = config.collections;
    async open(): Promise<void> {
      if (!plugged) throw error('NotFoundError', 'The device was disconnected.');
      if (this.opened) throw error('InvalidStateError', 'The device is already open.');
      this.opened = true;
    }
    async close(): Promise<void> {
      this.opened = false;
    }
    async forget(): Promise<void> {
      granted = false;
      storage()?.removeItem(grantKey);
      this.opened = false;
    }
    async sendReport(reportId: number, data: BufferSource): Promise<void> {
      if (!this.opened) throw error('InvalidStateError', 'The device must be opened first.');
      const bytes = Array.from(ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(data));
      outputs.push({ reportId, bytes });
      const off = leds.offHook;
      if (config.echoHook !== false && off && off.reportId === reportId) {
        const now = ((bytes[off.bit >> 3] ?? 0) >> (off.bit & 7)) & 1;
        if (!!now !== hook) {
          hook = !!now;
          // The headset confirms its new hook state, as real ones do after the host's LED.
          setTimeout(() => send({}), 0);
        }
      }
    }
    async sendFeatureReport(): Promise<void> {
      throw error('NotSupportedError', 'The simulated headset has no feature reports.');
    }
    async receiveFeatureReport(): Promise<DataView> {
      throw error('NotSupportedError', 'The simulated headset has no feature reports.');
    }
  }
  const device = new FakeHidDevice();

  // One input report with the hook state and the buttons held now.
  const send = (held: { mute?: boolean; flash?: boolean }) => {
    const where = inputs.hook ?? inputs.mute;
    if (!where || !device.opened || !plugged) return;
    const data = new Uint8Array(where.length);
    const set = (b: Bit | null, on: boolean | undefined) => {
      if (b && on && b.reportId === where.reportId) data[b.bit >> 3] |= 1 << (b.bit & 7);
    };
    set(inputs.hook, hook);
    set(inputs.mute, held.mute);
    set(inputs.flash, held.flash);
    const event = new Event('inputreport');
    Object.defineProperties(event, { device: { value: device }, reportId: { value: where.reportId }, data: { value: new DataView(data.buffer) } });
    device.dispatchEvent(event);
    device.oninputreport?.(event);
  };

  class FakeHid extends EventTarget {
    onconnect: ((e: Event) => void) | null = null;
    ondisconnect: ((e: Event) => void) | null = null;
    async getDevices(): Promise<FakeHidDevice[]> {
      return granted && plugged ? [device] : [];
    }
    async requestDevice(options?: { filters?: Array<{ vendorId?: number; productId?: number; usagePage?: number; usage?: number }> }): Promise<FakeHidDevice[]> {
      if (!options || !Array.isArray(options.filters)) throw new TypeError("Failed to execute 'requestDevice' on 'HID': required member filters is undefined.");
      const active = (navigator as Navigator & { userActivation?: { isActive: boolean } }).userActivation?.isActive;
      if (config.requireGesture !== false && active === false) throw error('SecurityError', 'Must be handling a user gesture to show a permission request.');
      const matches = options.filters.length === 0 || options.filters.some((f) =>
        (f.vendorId === undefined || f.vendorId === config.vendorId) &&
        (f.productId === undefined || f.productId === config.productId) &&
        config.collections.some((c) => (f.usagePage === undefined || f.usagePage === c.usagePage) && (f.usage === undefined || f.usage === c.usage)),
      );
      // No chooser: the one headset is picked when it matches, as a user would.
      if (!matches || !plugged) return [];
      granted = true;
      storage()?.setItem(grantKey, '1');
      return [device];
    }
  }
  const hid = new FakeHid();
  const connection = (type: 'connect' | 'disconnect') => {
    const event = new Event(type);
    Object.defineProperty(event, 'device', { value: device });
    hid.dispatchEvent(event);
    (type === 'connect' ? hid.onconnect : hid.ondisconnect)?.(event);
  };

  // Chromium has a real navigator.hid on Navigator.prototype: shadow it on the instance and the prototype.
  for (const target of [Navigator.prototype, navigator]) {
    try {
      Object.defineProperty(target, 'hid', { configurable: true, get: () => hid });
    } catch {
      // A frozen or odd navigator: the other target still works.
    }
  }

  const handle: FakeHeadsetHandle = {
    outputs,
    press(what) {
      if (what === 'hook-off' || what === 'hook-on') {
        hook = what === 'hook-off';
        send({});
      } else {
        // A button: pressed, then released a moment later.
        send({ [what]: true });
        setTimeout(() => send({}), 30);
      }
    },
    leds() {
      const bit = (b: Bit | null): boolean => {
        if (!b) return false;
        const last = [...outputs].reverse().find((o) => o.reportId === b.reportId);
        return !!last && (((last.bytes[b.bit >> 3] ?? 0) >> (b.bit & 7)) & 1) === 1;
      };
      if (!outputs.length) return null;
      return { offHook: bit(leds.offHook), mute: bit(leds.mute), ring: bit(leds.ring), hold: bit(leds.hold) };
    },
    hook: () => hook,
    opened: () => device.opened,
    unplug() {
      if (!plugged) return;
      plugged = false;
      device.opened = false;
      if (granted) connection('disconnect');
    },
    plug() {
      if (plugged) return;
      plugged = true;
      hook = false;
      if (granted) connection('connect');
    },
  };
  (window as unknown as { __fakeHeadset: FakeHeadsetHandle }).__fakeHeadset = handle;
}

/**
 * The installer as a script for `addInitScript({ content })` or `page.evaluate`. `__name` is
 * defined in case the test runner's transform wrapped inner functions with that helper.
 */
export function fakeHidInitScript(overrides: Partial<FakeHidConfig> = {}): string {
  const config: FakeHidConfig = { ...simulatedHeadset, ...overrides };
  return `(() => { const __name = (f) => f; (${installFakeHid.toString()})(${JSON.stringify(config)}); })();`;
}
