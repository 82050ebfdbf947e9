import type { AudioSettings } from '../../shared/settings';
import type { DeviceOption } from '../store/phoneState';

export interface DeviceLists {
  inputs: DeviceOption[];
  outputs: DeviceOption[];
}

export async function listAudioDevices(): Promise<DeviceLists> {
  const all = await navigator.mediaDevices.enumerateDevices();
  const pick = (kind: MediaDeviceKind) =>
    all
      .filter((d) => d.kind === kind && d.deviceId && d.deviceId !== 'default' && d.deviceId !== 'communications')
      .map((d, i) => ({ deviceId: d.deviceId, label: d.label || `${kind === 'audioinput' ? 'Microphone' : 'Output'} ${i + 1}` }));
  return { inputs: pick('audioinput'), outputs: pick('audiooutput') };
}

/** Which chosen devices are no longer plugged in. */
export function missingDevices(chosen: AudioSettings, lists: DeviceLists): Array<keyof AudioSettings> {
  const has = (list: DeviceOption[], id: string | null) => id === null || list.some((d) => d.deviceId === id);
  const missing: Array<keyof AudioSettings> = [];
  if (!has(lists.inputs, chosen.micId)) missing.push('micId');
  if (!has(lists.outputs, chosen.headsetId)) missing.push('headsetId');
  if (!has(lists.outputs, chosen.ringerId)) missing.push('ringerId');
  return missing;
}
