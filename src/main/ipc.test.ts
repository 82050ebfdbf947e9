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
    checkSupervision: vi.fn(async () => ({ ok: false as const, status: 403, reason: 'No Supervision Policy', code: 'no-policy' as const, detail: 'none' })),
    recordSupervision: vi.fn(async () => true),
    signSupervision: vi.fn(async () => ({ ok: true as const, token: 't' })),
    verifyAudit: vi.fn(async () => ({ ok: true, entries: 0, message: '0 entries, chain intact.' })),
    orgReport: vi.fn(async () => ({ ok: false as const, reason: 'no service' })),
    orgEvaluate: vi.fn(async () => ({ ok: false as const, reason: 'no service' })),
    orgEvaluations: vi.fn(async () => ({ ok: false as const, reason: 'no service' })),
    orgAcknowledge: vi.fn(async () => ({ ok: false as const, reason: 'no service' })),
    orgRecordings: vi.fn(async () => ({ ok: false as const, reason: 'no service' })),
    orgRecording: vi.fn(async () => null),
    orgRecordingTrack: vi.fn(async () => null),
    recordings: {
      start: vi.fn(async () => ({ ok: true as const })),
      append: vi.fn(async () => ({ ok: true as const })),
      event: vi.fn(async () => ({ ok: true as const })),
      end: vi.fn(async () => ({ ok: true as const })),
      comment: vi.fn(async () => ({ ok: true as const })),
      list: vi.fn(async () => []),
      read: vi.fn(async () => null),
      trackFile: vi.fn(async () => null),
    },
    publishCallState: vi.fn(),
    sendCallAction: vi.fn(),
    setMiniWindow: vi.fn(),
    getUpdateStatus: vi.fn(() => ({ managedBy: 'user' as const, enabled: false, channel: 'latest', state: 'disabled' as const, version: null, message: 'Updates are off.' })),
    installUpdate: vi.fn(),
    collectLogs: vi.fn(async () => ({ ok: false as const, reason: 'x' })),
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

  describe('supervision', () => {
    const check = { step: 'join', token: 'a.b.c', agentId: '1001@whisperline.test', callId: 'c1@host', sipIdentity: '1101@whisperline.test', mode: 'listen' };
    const event = { actor: '1101@whisperline.test', subject: '1001@whisperline.test', call: 'c1@host', action: 'leave', result: 'ok', durationMs: 4200 };
    const ask = { sup: '1101@whisperline.test', agent: '1001@whisperline.test', binding: '*', mode: 'whisper' };

    it('passes well-formed requests to the services', async () => {
      const { services, call, own } = setup();
      await expect(call(ipcChannels.checkSupervision, own, check)).resolves.toMatchObject({ ok: false, code: 'no-policy' });
      expect(services.checkSupervision).toHaveBeenCalledWith(check);
      await expect(call(ipcChannels.checkSupervision, own, { ...check, token: null, callId: null })).resolves.toMatchObject({ ok: false });
      await expect(call(ipcChannels.recordSupervision, own, event)).resolves.toBe(true);
      expect(services.recordSupervision).toHaveBeenCalledWith(event);
      await expect(call(ipcChannels.signSupervision, own, ask)).resolves.toEqual({ ok: true, token: 't' });
      await expect(call(ipcChannels.signSupervision, own, { ...ask, binding: '#AAAAAAAAAAAAAAAAAAAAAA' })).resolves.toEqual({ ok: true, token: 't' });
      // The answer to a join's challenge: a proof step, and a statement whose nonce is the challenge.
      const proof = { ...check, step: 'proof', challenge: 'A'.repeat(22) };
      await expect(call(ipcChannels.checkSupervision, own, proof)).resolves.toMatchObject({ ok: false });
      expect(services.checkSupervision).toHaveBeenLastCalledWith(proof);
      await expect(call(ipcChannels.signSupervision, own, { ...ask, binding: 'c1@host', nonce: 'B'.repeat(22) })).resolves.toEqual({ ok: true, token: 't' });
      await expect(call(ipcChannels.verifyAudit, own)).resolves.toMatchObject({ ok: true });
    });

    it('refuses hostile input with a clear error, before it reaches the services', () => {
      const { services, call, own } = setup();
      const refused = (ch: string, arg: unknown, why: RegExp) => expect(() => call(ch, own, arg)).toThrow(why);
      refused(ipcChannels.checkSupervision, { ...check, token: 'x'.repeat(701) }, /^Invalid request: token: Too big/);
      refused(ipcChannels.checkSupervision, { ...check, mode: 'wiretap' }, /^Invalid request: mode: /);
      refused(ipcChannels.checkSupervision, { ...check, step: 'admin' }, /^Invalid request: step: /);
      refused(ipcChannels.checkSupervision, { ...check, allow: true }, /^Invalid request: Unrecognized key: "allow"/);
      refused(ipcChannels.checkSupervision, { ...check, callId: 'c'.repeat(1025) }, /^Invalid request: callId: Too big/);
      refused(ipcChannels.checkSupervision, { ...check, sipIdentity: 'x'.repeat(201) }, /^Invalid request: sipIdentity: Too big/);
      refused(ipcChannels.checkSupervision, null, /^Invalid request/);
      refused(ipcChannels.recordSupervision, { ...event, action: 'erase' }, /^Invalid request: action: /);
      refused(ipcChannels.recordSupervision, { ...event, reason: 'r'.repeat(401) }, /^Invalid request: reason: Too big/);
      refused(ipcChannels.recordSupervision, { ...event, seq: 1, hash: '0'.repeat(64) }, /^Invalid request: Unrecognized keys?: "seq"/);
      refused(ipcChannels.recordSupervision, { ...event, durationMs: -1 }, /^Invalid request: durationMs: /);
      refused(ipcChannels.signSupervision, { ...ask, mode: 'godmode' }, /^Invalid request: mode: /);
      refused(ipcChannels.signSupervision, { ...ask, binding: 'x'.repeat(97) }, /^Invalid request: binding: /);
      refused(ipcChannels.signSupervision, { ...ask, binding: 'a"b' }, /^Invalid request: binding: /);
      refused(ipcChannels.signSupervision, { ...ask, lifetimeSeconds: 86_400 }, /^Invalid request: Unrecognized key: "lifetimeSeconds"/);
      refused(ipcChannels.signSupervision, { ...ask, nonce: 'not a nonce' }, /^Invalid request: nonce: /);
      refused(ipcChannels.checkSupervision, { ...check, step: 'proof', challenge: 'c'.repeat(65) }, /^Invalid request: challenge: Too big/);
      expect(() => call(ipcChannels.verifyAudit, own, { repair: true })).toThrow(/^Invalid request/);
      refused(ipcChannels.orgReport, { from: '2026-11-01', to: '2026-11-30', teams: ['a; drop table calls'] }, /^Invalid request: teams/);
      refused(ipcChannels.orgReport, { from: '2020-01-01', to: '2026-11-30' }, /^Invalid request: to: at most/);
      refused(ipcChannels.orgReport, { from: '2026-11-01', to: '2026-11-30', as: '1901@pbx' }, /^Invalid request: Unrecognized key: "as"/);
      refused(ipcChannels.orgEvaluate, { id: 'x', agent: '1001@pbx', callId: 'c', scorecard: 'basic', scores: {} }, /^Invalid request: id/);
      refused(ipcChannels.orgAcknowledge, { id: 'A'.repeat(22), comment: 'c'.repeat(2001) }, /^Invalid request: comment/);
      expect(services.orgReport).not.toHaveBeenCalled();
      expect(services.orgEvaluate).not.toHaveBeenCalled();
      expect(services.orgAcknowledge).not.toHaveBeenCalled();
      expect(services.checkSupervision).not.toHaveBeenCalled();
      expect(services.recordSupervision).not.toHaveBeenCalled();
      expect(services.signSupervision).not.toHaveBeenCalled();
      expect(services.verifyAudit).not.toHaveBeenCalled();
    });

    it('refuses supervision calls from other pages', () => {
      const { services, call } = setup();
      expect(() => call(ipcChannels.signSupervision, { senderFrame: { url: 'https://evil.example/' } }, ask)).toThrow(/refused/);
      expect(() => call(ipcChannels.checkSupervision, { senderFrame: { url: 'https://evil.example/' } }, check)).toThrow(/refused/);
      expect(services.signSupervision).not.toHaveBeenCalled();
      expect(services.checkSupervision).not.toHaveBeenCalled();
    });
  });

  describe('recordings', () => {
    it('writes a well-formed chunk and refuses a hostile one before it reaches the disk', async () => {
      const { services, call, own } = setup();
      await call(ipcChannels.recordingAppend, own, 'abcdef0123456789', { seq: 0, frames: 2, pcm: new Uint8Array(8) });
      expect(services.recordings.append).toHaveBeenCalledWith('abcdef0123456789', expect.objectContaining({ seq: 0, frames: 2 }));
      // A folder outside the recordings folder, a body that is not audio, a chunk too long.
      expect(() => call(ipcChannels.recordingAppend, own, '../../etc', { seq: 0, frames: 2, pcm: new Uint8Array(8) })).toThrow(/Invalid request/);
      expect(() => call(ipcChannels.recordingAppend, own, 'abcdef0123456789', { seq: 0, frames: 2, pcm: 'AAAA' })).toThrow(/Invalid request: pcm: .*Uint8Array/);
      expect(() => call(ipcChannels.recordingAppend, own, 'abcdef0123456789', { seq: 0, frames: 10_000_000, pcm: new Uint8Array(8) })).toThrow(/Invalid request/);
      expect(() => call(ipcChannels.readRecordingTrack, own, 'abcdef0123456789', 'everyone')).toThrow(/Invalid request/);
      expect(() => call(ipcChannels.recordingEvent, own, 'abcdef0123456789', { atMs: 0, kind: 'rm -rf' })).toThrow(/Invalid request/);
      expect(services.recordings.append).toHaveBeenCalledTimes(1);
      expect(services.recordings.event).not.toHaveBeenCalled();
    });
  });

  describe('tray, notification and mini window', () => {
    it('passes a call state and an action through, and refuses a forged or oversized one', () => {
      const { services, call, own } = setup();
      const state = { registration: 'registered', agentState: 'ready', incoming: { id: 'c1', caller: '2001' }, active: null, display: { language: 'de', highContrast: false } };
      call(ipcChannels.publishCallState, own, state);
      expect(services.publishCallState).toHaveBeenCalledWith(state);
      call(ipcChannels.sendCallAction, own, 'answer');
      expect(services.sendCallAction).toHaveBeenCalledWith('answer');
      expect(() => call(ipcChannels.sendCallAction, own, 'transfer-to-premium')).toThrow(/Invalid request/);
      expect(() => call(ipcChannels.publishCallState, own, { ...state, incoming: { id: 'c1', caller: 'x'.repeat(10_000) } })).toThrow(/Invalid request: incoming.caller/);
      expect(() => call(ipcChannels.collectLogs, own, Array.from({ length: 6000 }, () => 'line'))).toThrow(/Invalid request/);
      expect(services.publishCallState).toHaveBeenCalledTimes(1);
      expect(services.collectLogs).not.toHaveBeenCalled();
    });
  });
});
