/**
 * The HID Telephony usage page read from WebHID's parsed descriptor (`HIDDevice.collections`), no
 * vendor library: where the hook switch, mute and flash buttons sit in input reports, where the
 * LEDs sit in output reports, and how to read and write those bits. Pure: no DOM globals.
 *
 * Supported: variable items (what real headsets use for these controls), with one usage each, a
 * usage list or a usage range; input array items (a button list whose value is an index into its
 * usages). Not supported, and ignored: LEDs in array items, feature reports, a usage that appears
 * in several reports (the first one wins), and telephony collections nested under another
 * top-level collection (WebHID's `usagePage` filter does not match those either).
 */

/** `HIDReportItem` as WebHID gives it (every member optional, as in the spec's dictionary). */
export interface HidReportItemLike {
  isAbsolute?: boolean;
  isArray?: boolean;
  isConstant?: boolean;
  isRange?: boolean;
  hasNull?: boolean;
  /** 32-bit extended usages: usagePage << 16 | usage. */
  usages?: readonly number[];
  usageMinimum?: number;
  usageMaximum?: number;
  reportSize?: number;
  reportCount?: number;
  logicalMinimum?: number;
  logicalMaximum?: number;
}

export interface HidReportInfoLike {
  reportId?: number;
  items?: readonly HidReportItemLike[];
}

export interface HidCollectionLike {
  usagePage?: number;
  usage?: number;
  type?: number;
  children?: readonly HidCollectionLike[];
  inputReports?: readonly HidReportInfoLike[];
  outputReports?: readonly HidReportInfoLike[];
  featureReports?: readonly HidReportInfoLike[];
}

export const TELEPHONY_PAGE = 0x0b;
export const LED_PAGE = 0x08;
const usage = (page: number, id: number) => ((page << 16) | id) >>> 0;

const inputUsages = {
  hookSwitch: usage(TELEPHONY_PAGE, 0x20),
  flash: usage(TELEPHONY_PAGE, 0x21),
  phoneMute: usage(TELEPHONY_PAGE, 0x2f),
} as const;
export type InputName = keyof typeof inputUsages;

/** Each LED the app drives, with the usages that mean it (Telephony Ringer is a ring output on some headsets). */
const ledUsages = {
  offHook: [usage(LED_PAGE, 0x17)],
  mute: [usage(LED_PAGE, 0x09)],
  ring: [usage(LED_PAGE, 0x18), usage(TELEPHONY_PAGE, 0x9e)],
  hold: [usage(LED_PAGE, 0x20)],
} as const;
export type LedName = keyof typeof ledUsages;
export type LedState = Record<LedName, boolean>;

export interface InputField {
  /** 0 when the device uses no report ids. */
  reportId: number;
  bitOffset: number;
  bitSize: number;
  /** False for a button that says "pressed" rather than a state (a relative item). */
  absolute: boolean;
  logicalMinimum: number;
  logicalMaximum: number;
  /** An array item: `count` slots, each holding an index; this usage is index `index`. */
  array?: { count: number; index: number };
}

export interface OutputField {
  led: LedName;
  reportId: number;
  bitOffset: number;
  bitSize: number;
}

export interface TelephonyLayout {
  /** The top-level collection's usage (0x05 Headset, 0x01 Phone, …). */
  usage: number;
  inputs: Partial<Record<InputName, InputField>>;
  /** Input report lengths in bytes, by report id: a shorter report is not trusted. */
  inputLengths: Record<number, number>;
  outputs: OutputField[];
  /** The output reports carrying at least one LED, with their full length in bytes. */
  outputReports: Array<{ reportId: number; byteLength: number }>;
}

const itemBits = (item: HidReportItemLike) => (item.reportSize ?? 0) * (item.reportCount ?? 0);
const reportBytes = (items: readonly HidReportItemLike[]) => Math.ceil(items.reduce((n, i) => n + itemBits(i), 0) / 8);

/** The usage list of an item: a range, its usages, or (Chromium, min == max) a single min/max usage. */
function usageList(item: HidReportItemLike): number[] {
  const min = item.usageMinimum ?? 0;
  const max = item.usageMaximum ?? 0;
  if (item.isRange && max >= min && max - min < 0x10000) return Array.from({ length: max - min + 1 }, (_, i) => (min + i) >>> 0);
  if (item.usages?.length) return item.usages.map((u) => u >>> 0);
  return min !== 0 && min === max ? [min >>> 0] : [];
}

/** The usage of a variable item's field `i`: HID repeats the last usage for fields past the list. */
const fieldUsage = (usages: number[], i: number): number | undefined => usages[Math.min(i, usages.length - 1)];

function readInputs(reports: readonly HidReportInfoLike[]): Pick<TelephonyLayout, 'inputs' | 'inputLengths'> {
  const inputs: TelephonyLayout['inputs'] = {};
  const inputLengths: Record<number, number> = {};
  for (const report of reports) {
    const reportId = report.reportId ?? 0;
    const items = report.items ?? [];
    inputLengths[reportId] = reportBytes(items);
    let offset = 0;
    for (const item of items) {
      const size = item.reportSize ?? 0;
      const count = item.reportCount ?? 0;
      const usages = item.isConstant ? [] : usageList(item);
      for (const [name, wanted] of Object.entries(inputUsages) as Array<[InputName, number]>) {
        if (inputs[name] || !usages.length) continue;
        const common = { reportId, bitSize: size, absolute: item.isAbsolute !== false, logicalMinimum: item.logicalMinimum ?? 0, logicalMaximum: item.logicalMaximum ?? 1 };
        if (item.isArray) {
          const index = usages.indexOf(wanted);
          if (index >= 0 && size > 0 && size <= 32) inputs[name] = { ...common, bitOffset: offset, array: { count, index } };
          continue;
        }
        for (let i = 0; i < count; i++) {
          if (fieldUsage(usages, i) !== wanted) continue;
          if (size > 0 && size <= 32) inputs[name] = { ...common, bitOffset: offset + i * size };
          break;
        }
      }
      offset += size * count;
    }
  }
  return { inputs, inputLengths };
}

function readOutputs(reports: readonly HidReportInfoLike[]): Pick<TelephonyLayout, 'outputs' | 'outputReports'> {
  const outputs: OutputField[] = [];
  const outputReports: TelephonyLayout['outputReports'] = [];
  for (const report of reports) {
    const reportId = report.reportId ?? 0;
    const items = report.items ?? [];
    const before = outputs.length;
    let offset = 0;
    for (const item of items) {
      const size = item.reportSize ?? 0;
      const count = item.reportCount ?? 0;
      // LEDs in an array item (a list of lit LED indexes) are not supported: no headset seen uses it.
      const usages = item.isConstant || item.isArray || size < 1 || size > 32 ? [] : usageList(item);
      if (usages.length) {
        for (let i = 0; i < count; i++) {
          const u = fieldUsage(usages, i);
          for (const [led, wanted] of Object.entries(ledUsages) as Array<[LedName, readonly number[]]>) {
            if (u !== undefined && wanted.includes(u)) outputs.push({ led, reportId, bitOffset: offset + i * size, bitSize: size });
          }
        }
      }
      offset += size * count;
    }
    if (outputs.length > before) outputReports.push({ reportId, byteLength: Math.ceil(offset / 8) });
  }
  return { outputs, outputReports };
}

/**
 * The telephony controls of a device, from its top-level collections; null when it has none the app
 * can use (no Telephony collection, or one without hook switch, mute or flash inputs). Only the
 * top-level collection's reports are read: Chromium adds every nested collection's items to its
 * ancestors' reports too, in descriptor order, so bit offsets come out right there.
 */
export function telephonyLayout(collections: readonly HidCollectionLike[] | null | undefined): TelephonyLayout | null {
  const telephony = (collections ?? []).filter((c) => c.usagePage === TELEPHONY_PAGE);
  // A headset's or phone's collection first; any other telephony collection after.
  const rank = (c: HidCollectionLike) => (c.usage === 0x05 ? 0 : c.usage === 0x01 ? 1 : 2);
  for (const c of [...telephony].sort((a, b) => rank(a) - rank(b))) {
    const { inputs, inputLengths } = readInputs(c.inputReports ?? []);
    if (!Object.keys(inputs).length) continue;
    return { usage: c.usage ?? 0, inputs, inputLengths, ...readOutputs(c.outputReports ?? []) };
  }
  return null;
}

/** `size` bits from `offset` (LSB first, as HID packs them); null when the report is too short. */
function readBits(data: DataView, offset: number, size: number): number | null {
  if (offset + size > data.byteLength * 8) return null;
  let value = 0;
  for (let b = 0; b < size; b++) {
    const bit = offset + b;
    if ((data.getUint8(bit >> 3) >> (bit & 7)) & 1) value += 2 ** b;
  }
  return value;
}

function signed(value: number, size: number, logicalMinimum: number): number {
  return logicalMinimum < 0 && size < 53 && value >= 2 ** (size - 1) ? value - 2 ** size : value;
}

/**
 * The telephony controls in one input report (`data` without the report id, as WebHID delivers it).
 * Only the controls this report carries are returned; a report shorter than the descriptor says,
 * or a value outside the logical range (a null state), yields nothing for that control. Never throws.
 */
export function decodeInput(layout: TelephonyLayout, reportId: number, data: DataView): Partial<Record<InputName, boolean>> {
  const out: Partial<Record<InputName, boolean>> = {};
  const expected = layout.inputLengths[reportId];
  if (expected === undefined || data.byteLength < expected) return out;
  for (const [name, field] of Object.entries(layout.inputs) as Array<[InputName, InputField]>) {
    if (field.reportId !== reportId) continue;
    const { logicalMinimum: min, logicalMaximum: max } = field;
    if (field.array) {
      let found = false;
      for (let slot = 0; slot < field.array.count; slot++) {
        const raw = readBits(data, field.bitOffset + slot * field.bitSize, field.bitSize);
        if (raw !== null && signed(raw, field.bitSize, min) - min === field.array.index) found = true;
      }
      out[name] = found;
      continue;
    }
    const raw = readBits(data, field.bitOffset, field.bitSize);
    if (raw === null) continue;
    const value = signed(raw, field.bitSize, min);
    if (max > min && (value < min || value > max)) continue;
    out[name] = value > Math.max(min, 0);
  }
  return out;
}

/** One output report per report id that carries LEDs; bits of other items in it are left 0. */
export function encodeLeds(layout: TelephonyLayout, leds: LedState): Array<{ reportId: number; data: Uint8Array }> {
  return layout.outputReports.map(({ reportId, byteLength }) => {
    const data = new Uint8Array(byteLength);
    for (const field of layout.outputs) {
      if (field.reportId !== reportId || !leds[field.led]) continue;
      // "On" is 1 in an LED field of any size (On/Off Control, logical 0..1).
      const bit = field.bitOffset;
      if (bit >> 3 < data.length) data[bit >> 3] |= 1 << (bit & 7);
    }
    return { reportId, data };
  });
}
