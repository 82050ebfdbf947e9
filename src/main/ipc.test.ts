import { describe, expect, it, vi } from 'vitest';
import { ipcChannels } from '../shared/bridge';
import { defaultSettings } from '../shared/settings';
import { registerIpcHandlers, type MainServices } from './ipc';

function setup() {
  const handlers = new Map<string, (event: { senderFrame?: { url: string } }, ...args: unknown[]) => unknown>();
  const services: MainServices = {
    loadSettings: vi.fn(() => ({ settings: defaultSettings, notice: null, hasPassword: false })),
    saveSettings: vi.fn(),
    getPassword: vi.fn(() => null),
    setPassword: vi.fn(() => ({ persisted: true })),
    appendHistory: vi.fn(async () => undefined),
    readHistory: vi.fn(async () => ({ items: [], skippedLines: 0 })),
    getOrgPolicy: vi.fn(async () => ({ state: 'none' as const, reason: 'No org policy is installed.' })),
    getSupervisorKey: vi.fn(async () => ({ publicKey: 'k', fingerprint: 'f', note: null })),
    isTrustedSender: (url) => url.startsWith('file:///app/renderer/index.html'),
  };
  registerIpcHandlers({ handle: (ch, fn) => handlers.set(ch, fn) }, services);
  const own = { senderFrame: { url: 'file:///app/renderer/index.html#/agent' } };
  const call = (ch: string, event: object, ...args: unknown[]) => handlers.get(ch)!(event, ...args);
  return { services, call, own };
}

describe('IPC from the renderer', () => {
  it('passes valid requests through', async () => {
    const { services, call, own } = setup();
    call(ipcChannels.saveSettings, own, { ...defaultSettings, dtmfMode: 'info' });
    expect(services.saveSettings).toHaveBeenCalledWith(expect.objectContaining({ dtmfMode: 'info' }));
    await call(ipcChannels.appendWrapUp, own, 'call-1', { disposition: 'Complaint', resolved: true, note: '' });
    expect(services.appendHistory).toHaveBeenCalledWith(expect.objectContaining({ kind: 'wrapup', callId: 'call-1' }));
  });

  it('answers the org policy and supervisor key requests from the main side', async () => {
    const { call, own } = setup();
    await expect(call(ipcChannels.orgPolicy, own)).resolves.toMatchObject({ state: 'none' });
    await expect(call(ipcChannels.supervisorKey, own)).resolves.toMatchObject({ fingerprint: 'f' });
    expect(() => call(ipcChannels.orgPolicy, own, 'widen-my-rights')).toThrow(/Invalid request/);
  });

  it('refuses malformed input with a clear error and touches nothing', () => {
    const { services, call, own } = setup();
    expect(() => call(ipcChannels.saveSettings, own, { role: 'admin' })).toThrow(/Invalid request/);
    expect(() => call(ipcChannels.setPassword, own, 'x'.repeat(10_000))).toThrow(/Invalid request/);
    expect(() => call(ipcChannels.appendCall, own, { id: 'x', outcome: 'exploded' })).toThrow(/Invalid request/);
    expect(services.saveSettings).not.toHaveBeenCalled();
    expect(services.setPassword).not.toHaveBeenCalled();
    expect(services.appendHistory).not.toHaveBeenCalled();
  });

  it('refuses callers that are not the app’s own pages', () => {
    const { services, call } = setup();
    expect(() => call(ipcChannels.supervisorKey, { senderFrame: { url: 'https://evil.example/' } })).toThrow(/refused/);
    expect(services.getSupervisorKey).not.toHaveBeenCalled();
    expect(() => call(ipcChannels.getPassword, { senderFrame: { url: 'https://evil.example/' } })).toThrow(/refused/);
    expect(() => call(ipcChannels.getPassword, { senderFrame: null })).toThrow(/refused/);
    expect(services.getPassword).not.toHaveBeenCalled();
  });
});
