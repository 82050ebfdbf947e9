import { describe, expect, it } from 'vitest';
import { missingDevices } from './devices';

const lists = {
  inputs: [{ deviceId: 'usb-headset-mic', label: 'USB headset' }],
  outputs: [
    { deviceId: 'usb-headset-out', label: 'USB headset' },
    { deviceId: 'desk-speaker', label: 'Speaker' },
  ],
};

describe('unplugged audio devices', () => {
  it('finds nothing missing while the chosen devices are plugged in, or when defaults are used', () => {
    expect(missingDevices({ micId: 'usb-headset-mic', headsetId: 'usb-headset-out', ringerId: 'desk-speaker' }, lists)).toEqual([]);
    expect(missingDevices({ micId: null, headsetId: null, ringerId: null }, { inputs: [], outputs: [] })).toEqual([]);
  });
  it('names each chosen device that disappeared, so it can fall back and say so', () => {
    const unplugged = { inputs: [], outputs: [{ deviceId: 'desk-speaker', label: 'Speaker' }] };
    expect(missingDevices({ micId: 'usb-headset-mic', headsetId: 'usb-headset-out', ringerId: 'desk-speaker' }, unplugged)).toEqual(['micId', 'headsetId']);
  });
});
