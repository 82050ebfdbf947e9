import { describe, expect, it } from 'vitest';
import { decodeInput, encodeLeds, telephonyLayout, type HidCollectionLike } from './hidTelephony';
import { hidItem, hidPadding, simulatedHeadsetCollections } from '../../../tests/support/fakeHid';

const item = hidItem;
const pad = hidPadding;
const view = (...bytes: number[]) => new DataView(new Uint8Array(bytes).buffer);

/**
 * A Poly-style handset without report ids: a vendor byte first, Hook Switch and Phone Mute as one
 * item with two usages (mute relative would need its own item, so both absolute here), Flash; LEDs
 * declared in a nested logical collection, which Chromium also lists in the top-level reports.
 */
const ledItems = [
  item({ usages: [0x080017], reportSize: 1, reportCount: 1 }), // Off-Hook
  item({ usages: [0x080018], reportSize: 1, reportCount: 1 }), // Ring
  item({ usages: [0x080009], reportSize: 1, reportCount: 1 }), // Mute
  item({ usages: [0x080020], reportSize: 1, reportCount: 1 }), // Hold
  item({ usages: [0x0b009e], reportSize: 1, reportCount: 1 }), // Telephony Ringer
  pad(3),
];
const polyStyle: HidCollectionLike[] = [
  {
    usagePage: 0x0b,
    usage: 0x01,
    type: 1,
    inputReports: [
      {
        reportId: 0,
        items: [item({ usages: [0xffa00001], reportSize: 8, reportCount: 1, logicalMaximum: 255 }), item({ usages: [0x0b0020, 0x0b002f], reportSize: 1, reportCount: 2 }), item({ usages: [0x0b0021], isAbsolute: false, reportSize: 1, reportCount: 1 }), pad(5)],
      },
    ],
    outputReports: [{ reportId: 0, items: [item({ usages: [0xffa00002], reportSize: 8, reportCount: 1, logicalMaximum: 255 }), ...ledItems] }],
    children: [{ usagePage: 0x08, usage: 0x00, type: 2, children: [], inputReports: [], outputReports: [{ reportId: 0, items: ledItems }] }],
  },
];

describe('telephonyLayout', () => {
  it('finds the controls of a Jabra-style headset beside its consumer-control collection', () => {
    const layout = telephonyLayout(simulatedHeadsetCollections);
    expect(layout).not.toBeNull();
    expect(layout!.usage).toBe(0x05);
    expect(layout!.inputs.hookSwitch).toMatchObject({ reportId: 2, bitOffset: 0, bitSize: 1, absolute: true });
    expect(layout!.inputs.phoneMute).toMatchObject({ reportId: 2, bitOffset: 2, bitSize: 1, absolute: false });
    expect(layout!.inputs.flash).toMatchObject({ reportId: 2, bitOffset: 3, bitSize: 1, absolute: false });
    expect(layout!.outputs).toEqual([
      { led: 'offHook', reportId: 2, bitOffset: 0, bitSize: 1 },
      { led: 'mute', reportId: 2, bitOffset: 1, bitSize: 1 },
      { led: 'ring', reportId: 2, bitOffset: 2, bitSize: 1 },
    ]);
    expect(layout!.outputReports).toEqual([{ reportId: 2, byteLength: 1 }]);
  });

  it('counts bits across other items, multi-usage items and no report id; reads only the top-level reports', () => {
    const layout = telephonyLayout(polyStyle)!;
    expect(layout.inputs.hookSwitch).toMatchObject({ reportId: 0, bitOffset: 8 });
    expect(layout.inputs.phoneMute).toMatchObject({ reportId: 0, bitOffset: 9 });
    expect(layout.inputs.flash).toMatchObject({ reportId: 0, bitOffset: 10, absolute: false });
    // Not doubled by the child's copy of the same items.
    expect(layout.outputs.map((o) => [o.led, o.bitOffset])).toEqual([
      ['offHook', 8],
      ['ring', 9],
      ['mute', 10],
      ['hold', 11],
      ['ring', 12],
    ]);
    expect(layout.outputReports).toEqual([{ reportId: 0, byteLength: 2 }]);
  });

  it('reads usage ranges, for inputs and LEDs', () => {
    const layout = telephonyLayout([
      {
        usagePage: 0x0b,
        usage: 0x05,
        inputReports: [{ reportId: 3, items: [item({ isRange: true, usageMinimum: 0x0b0020, usageMaximum: 0x0b0021, reportSize: 1, reportCount: 2 }), pad(6)] }],
        outputReports: [{ reportId: 4, items: [pad(2), item({ isRange: true, usageMinimum: 0x080017, usageMaximum: 0x080018, reportSize: 1, reportCount: 2 }), pad(4)] }],
      },
    ])!;
    expect(layout.inputs.hookSwitch).toMatchObject({ reportId: 3, bitOffset: 0 });
    expect(layout.inputs.flash).toMatchObject({ reportId: 3, bitOffset: 1 });
    expect(layout.outputs.map((o) => [o.led, o.reportId, o.bitOffset])).toEqual([
      ['offHook', 4, 2],
      ['ring', 4, 3],
    ]);
  });

  it('prefers the Headset collection and passes over telephony collections without call buttons', () => {
    const keypadOnly: HidCollectionLike = { usagePage: 0x0b, usage: 0x06, inputReports: [{ reportId: 9, items: [item({ isRange: true, usageMinimum: 0x0b00b0, usageMaximum: 0x0b00bb, reportSize: 1, reportCount: 12 })] }] };
    const phone: HidCollectionLike = { usagePage: 0x0b, usage: 0x01, inputReports: [{ reportId: 5, items: [item({ usages: [0x0b0020], reportSize: 1, reportCount: 1 }), pad(7)] }] };
    const headset: HidCollectionLike = { usagePage: 0x0b, usage: 0x05, inputReports: [{ reportId: 6, items: [item({ usages: [0x0b0020], reportSize: 1, reportCount: 1 }), pad(7)] }] };
    expect(telephonyLayout([keypadOnly, phone, headset])!.inputs.hookSwitch!.reportId).toBe(6);
    expect(telephonyLayout([keypadOnly, phone])!.inputs.hookSwitch!.reportId).toBe(5);
    expect(telephonyLayout([keypadOnly])).toBeNull();
  });

  it('is null for a device without a telephony collection (a keyboard, a mouse) and for nothing at all', () => {
    const keyboard: HidCollectionLike = { usagePage: 0x01, usage: 0x06, inputReports: [{ reportId: 1, items: [item({ isRange: true, usageMinimum: 0x0700e0, usageMaximum: 0x0700e7, reportSize: 1, reportCount: 8 })] }] };
    expect(telephonyLayout([keyboard])).toBeNull();
    expect(telephonyLayout([])).toBeNull();
    expect(telephonyLayout(undefined)).toBeNull();
    // A constant item carrying a hook-switch usage is not a button.
    expect(telephonyLayout([{ usagePage: 0x0b, usage: 0x05, inputReports: [{ reportId: 1, items: [item({ isConstant: true, usages: [0x0b0020], reportSize: 1, reportCount: 8 })] }] }])).toBeNull();
  });
});

describe('decodeInput', () => {
  const layout = telephonyLayout(simulatedHeadsetCollections)!;

  it('reads each control from its own bit (report id not in the data)', () => {
    expect(decodeInput(layout, 2, view(0b0000_0001))).toEqual({ hookSwitch: true, phoneMute: false, flash: false });
    expect(decodeInput(layout, 2, view(0b0000_0100))).toEqual({ hookSwitch: false, phoneMute: true, flash: false });
    // Line Busy Tone (bit 1) is no button of ours.
    expect(decodeInput(layout, 2, view(0b0000_0010))).toEqual({ hookSwitch: false, phoneMute: false, flash: false });
    expect(decodeInput(layout, 2, view(0b0000_1001))).toEqual({ hookSwitch: true, phoneMute: false, flash: true });
  });

  it('ignores other reports, and short or empty ones, without throwing', () => {
    expect(decodeInput(layout, 1, view(0xff))).toEqual({}); // the volume keys
    expect(decodeInput(layout, 7, view(0xff))).toEqual({});
    expect(decodeInput(layout, 2, view())).toEqual({});
    const poly = telephonyLayout(polyStyle)!;
    expect(decodeInput(poly, 0, view(0xff))).toEqual({}); // 1 byte of a 2-byte report
    expect(decodeInput(poly, 0, view(0x00, 0b011))).toEqual({ hookSwitch: true, phoneMute: true, flash: false });
    // Cut short after the bits we want: not trusted either.
    const twoBytes = telephonyLayout([{ usagePage: 0x0b, usage: 0x05, inputReports: [{ reportId: 3, items: [item({ usages: [0x0b0020], reportSize: 1, reportCount: 1 }), pad(7), item({ usages: [0xffa00001], reportSize: 8, reportCount: 1, logicalMaximum: 255 })] }] }])!;
    expect(decodeInput(twoBytes, 3, view(0x01))).toEqual({});
    expect(decodeInput(twoBytes, 3, view(0x01, 0x00))).toEqual({ hookSwitch: true });
    // Longer than described (Windows pads to the longest report): fine.
    expect(decodeInput(poly, 0, view(0x00, 0b100, 0, 0))).toEqual({ hookSwitch: false, phoneMute: false, flash: true });
  });

  it('reads array items: a slot holding the usage index means pressed', () => {
    const layout = telephonyLayout([
      {
        usagePage: 0x0b,
        usage: 0x05,
        inputReports: [{ reportId: 1, items: [item({ isArray: true, usages: [0x0b0020, 0x0b002f, 0x0b0021], reportSize: 8, reportCount: 2, logicalMinimum: 1, logicalMaximum: 3 })] }],
      },
    ])!;
    expect(layout.inputs.phoneMute?.array).toEqual({ count: 2, index: 1 });
    expect(decodeInput(layout, 1, view(0, 0))).toEqual({ hookSwitch: false, phoneMute: false, flash: false });
    expect(decodeInput(layout, 1, view(1, 2))).toEqual({ hookSwitch: true, phoneMute: true, flash: false });
    expect(decodeInput(layout, 1, view(0, 3))).toEqual({ hookSwitch: false, phoneMute: false, flash: true });
  });

  it('skips a value outside the logical range (a null state)', () => {
    const layout = telephonyLayout([{ usagePage: 0x0b, usage: 0x05, inputReports: [{ reportId: 1, items: [item({ usages: [0x0b0020], reportSize: 2, reportCount: 1, hasNull: true, logicalMinimum: 0, logicalMaximum: 1 }), pad(6)] }] }])!;
    expect(decodeInput(layout, 1, view(0b01))).toEqual({ hookSwitch: true });
    expect(decodeInput(layout, 1, view(0b11))).toEqual({});
  });
});

describe('encodeLeds', () => {
  it('sets the LED bits of the headset output report', () => {
    const layout = telephonyLayout(simulatedHeadsetCollections)!;
    const off = { offHook: false, mute: false, ring: false, hold: false };
    expect(encodeLeds(layout, off)).toEqual([{ reportId: 2, data: new Uint8Array([0]) }]);
    expect(encodeLeds(layout, { ...off, offHook: true })[0].data).toEqual(new Uint8Array([0b001]));
    expect(encodeLeds(layout, { ...off, offHook: true, mute: true })[0].data).toEqual(new Uint8Array([0b011]));
    expect(encodeLeds(layout, { ...off, ring: true })[0].data).toEqual(new Uint8Array([0b100]));
    // No Hold LED on this headset: nothing to set.
    expect(encodeLeds(layout, { ...off, hold: true })[0].data).toEqual(new Uint8Array([0]));
  });

  it('fills the whole report, with ring on both the Ring LED and the Telephony Ringer', () => {
    const layout = telephonyLayout(polyStyle)!;
    const [report] = encodeLeds(layout, { offHook: false, mute: false, ring: true, hold: true });
    expect(report.reportId).toBe(0);
    expect(Array.from(report.data)).toEqual([0, 0b1_1010]);
  });

  it('makes one report per report id carrying LEDs, and none when the headset has no LEDs', () => {
    const split = telephonyLayout([
      {
        usagePage: 0x0b,
        usage: 0x05,
        inputReports: [{ reportId: 1, items: [item({ usages: [0x0b0020], reportSize: 1, reportCount: 1 }), pad(7)] }],
        outputReports: [
          { reportId: 0x17, items: [item({ usages: [0x080017], reportSize: 8, reportCount: 1 })] },
          { reportId: 0x05, items: [item({ usages: [0xff000001], reportSize: 8, reportCount: 4, logicalMaximum: 255 })] },
          { reportId: 0x09, items: [item({ usages: [0x080009], reportSize: 8, reportCount: 1 })] },
        ],
      },
    ])!;
    const reports = encodeLeds(split, { offHook: true, mute: true, ring: false, hold: false });
    expect(reports.map((r) => [r.reportId, Array.from(r.data)])).toEqual([
      [0x17, [1]],
      [0x09, [1]],
    ]);
    const noLeds = telephonyLayout([{ usagePage: 0x0b, usage: 0x05, inputReports: [{ reportId: 1, items: [item({ usages: [0x0b0020], reportSize: 1, reportCount: 1 })] }] }])!;
    expect(encodeLeds(noLeds, { offHook: true, mute: false, ring: false, hold: false })).toEqual([]);
  });
});
