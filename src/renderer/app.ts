import type { AuditCheck, OrgPolicyStatus, SupervisorKeyInfo, WhisperlineBridge } from '../shared/bridge';
import type { CallRecord, WrapUp } from '../shared/callHistory';
import type { Settings } from '../shared/settings';
import { AudioEngine } from './audio/engine';
import { listAudioDevices, missingDevices } from './audio/devices';
import { Ringer } from './audio/ringer';
import { Phone } from './sip/phone';
import { notify, phoneStore } from './store/phoneState';
import { watchRaisedHands } from './alerts/handAlert';
import { watchTalkKeys } from './input/talkKeys';
import { RecordingController } from './recording/recordingController';
import { DesktopFeatures } from './host/desktopFeatures';

const deviceNames = { micId: 'microphone', headsetId: 'headset', ringerId: 'ringer' } as const;

/**
 * Wires the bridge (settings, secrets, history), the audio engine and the SIP phone to the store.
 * The single place where user intents from views become effects.
 */
export class WhisperlineApp {
  readonly audio = new AudioEngine();
  readonly ringer = new Ringer();
  readonly phone: Phone;
  readonly recording: RecordingController;
  /** Tray, notifications, mini window, call keys, links, announcements, updates (host/desktopFeatures.ts). */
  readonly desktop: DesktopFeatures;
  /** Calls that ended while history could not be written (disk full): retried with the next write. */
  private unsaved: CallRecord[] = [];
  /** New account settings wait for the calls in progress to end (re-registering would drop them). */
  private reconnectAfterCalls = false;

  constructor(readonly bridge: WhisperlineBridge) {
    this.phone = new Phone(this.audio, this.ringer, { onCallEnded: (r, wrap) => void this.onCallEnded(r, wrap) });
    this.phone.supervision.policy.host = bridge;
    this.recording = new RecordingController(bridge, this.audio, this.phone);
    // The supervisor's board: a raised hand also sounds, notifies, and joins in one click.
    watchRaisedHands({ chime: () => this.ringer.chime(), join: (agent) => void this.phone.supervision.supervise(agent, 'listen') });
    watchTalkKeys(this.phone.supervision, (listener) => bridge.onShortcut(listener));
    this.audio.onMicEnded = () => void this.refreshDevices(true);
    navigator.mediaDevices?.addEventListener?.('devicechange', () => void this.refreshDevices(false));
    this.desktop = new DesktopFeatures(bridge, this.phone);
    bridge.onTlsError(({ url, error }) => notify('error', `The TLS certificate of ${url} was rejected (${error}). Ask IT to install the PBX's certificate or fix its name.`));
  }

  async init(): Promise<void> {
    const loaded = await this.bridge.loadSettings();
    phoneStore.update((s) => ({ ...s, settings: loaded.settings, hasPassword: loaded.hasPassword }));
    if (loaded.notice) notify('warning', loaded.notice);
    this.applyPhoneSettings(loaded.settings);
    void this.orgPolicy().catch(() => undefined);
    // IT may install or replace the policy while the app runs (and a policy expires).
    setInterval(() => void this.orgPolicy().catch(() => undefined), 60_000);
    await this.loadHistory();
    await this.applyAudio(loaded.settings).catch((e: Error) => notify('error', `Microphone unavailable: ${e.message}`));
    await this.refreshDevices(false);
    await this.connect();
  }

  /** Unregisters (no calls are offered) until the agent signs in again. */
  async signOut(): Promise<void> {
    await this.phone.unregister();
  }

  async signIn(): Promise<void> {
    // connect() fetches the policy itself; only a plain re-registration needs it here.
    if (await this.phone.reregister()) void this.orgPolicy().catch(() => undefined);
    else await this.connect();
  }

  private async connect(): Promise<void> {
    const { settings } = phoneStore.get();
    if (!settings?.account) return;
    // Signing in picks up the policy IT publishes now, not at the next minute's poll: the board,
    // and whom the agent's app tells its state, follow it from the first moment.
    await this.orgPolicy().catch(() => undefined);
    const password = await this.bridge.getPassword();
    if (password === null) {
      phoneStore.update((s) => ({ ...s, registration: { ...s.registration, state: 'unconfigured', message: 'Enter your SIP password in Settings.' } }));
      return;
    }
    await this.phone.start(settings.account, password);
  }

  /** The org policy this desk runs under (Settings, and what the supervisor's buttons offer). */
  async orgPolicy(): Promise<OrgPolicyStatus> {
    const status = await this.bridge.getOrgPolicy();
    this.phone.supervision.policy.status = status;
    phoneStore.update((s) => ({ ...s, orgPolicy: status }));
    this.applyBoard();
    return status;
  }

  /** Walks this desk's audit trail (Settings → Organisation). */
  verifyAudit(): Promise<AuditCheck> {
    return this.bridge.verifyAudit();
  }

  /** The supervisor's own public key, for IT to enrol; made on first use. */
  supervisorKey(): Promise<SupervisorKeyInfo> {
    return this.bridge.getSupervisorKey();
  }

  async saveSettings(settings: Settings, password: string | null): Promise<void> {
    const previous = phoneStore.get().settings;
    const accountChanged = JSON.stringify(previous?.account) !== JSON.stringify(settings.account) || !!password;
    await this.bridge.saveSettings(settings);
    if (password !== null && password !== '') {
      const { persisted } = await this.bridge.setPassword(password);
      if (!persisted && this.bridge.host === 'electron') notify('warning', 'This computer has no keychain: your SIP password is kept only until the app closes.');
    }
    const hasPassword = (await this.bridge.getPassword()) !== null;
    phoneStore.update((s) => ({ ...s, settings, hasPassword }));
    this.applyPhoneSettings(settings);
    await this.applyAudio(settings).catch((e: Error) => notify('error', `Audio device problem: ${e.message}`));
    if (!accountChanged && phoneStore.get().registration.state === 'registered') return;
    if (phoneStore.get().calls.length > 0) {
      // Re-registering would end the calls in progress: wait until they are over.
      this.reconnectAfterCalls = true;
      notify('info', 'The new account settings take effect when your current calls end.');
      return;
    }
    await this.connect();
  }

  private applyPhoneSettings(settings: Settings): void {
    this.phone.dtmfMode = settings.dtmfMode;
    this.applyBoard();
    this.phone.supervision.setSupervisorVolume(settings.supervisorVolume);
  }

  /** The supervisor's voice level in the headset, remembered. */
  async setSupervisorVolume(volume: number): Promise<void> {
    this.phone.supervision.setSupervisorVolume(volume);
    const settings = phoneStore.get().settings;
    if (!settings) return;
    const next = { ...settings, supervisorVolume: volume };
    phoneStore.update((s) => ({ ...s, settings: next }));
    await this.bridge.saveSettings(next).catch(() => undefined);
  }

  /** Language, contrast and start at login: applied at once and remembered (no new sign-in). */
  async setDisplay(display: Partial<Pick<Settings, 'language' | 'contrast' | 'startAtLogin'>>): Promise<void> {
    const settings = phoneStore.get().settings;
    if (!settings) return;
    const next = { ...settings, ...display };
    phoneStore.update((s) => ({ ...s, settings: next }));
    await this.bridge.saveSettings(next).catch((e: Error) => notify('error', `Could not save the display settings: ${e.message}`));
  }

  /** The supervisor's quick coaching phrases, remembered (no new sign-in). */
  async setQuickPhrases(quickPhrases: string[]): Promise<void> {
    const settings = phoneStore.get().settings;
    if (!settings) return;
    const next = { ...settings, quickPhrases };
    phoneStore.update((s) => ({ ...s, settings: next }));
    await this.bridge.saveSettings(next).catch((e: Error) => notify('error', `Could not save the quick phrases: ${e.message}`));
  }

  private async applyAudio(settings: Settings): Promise<void> {
    const { fellBack } = await this.audio.setMicrophone(settings.audio.micId);
    if (fellBack) notify('warning', 'Your chosen microphone is not connected; using the system default.');
    await this.audio.setHeadset(settings.audio.headsetId).catch(() => notify('warning', 'Your chosen headset is not connected; using the system default output.'));
    await this.ringer.setDevice(settings.audio.ringerId).catch(() => notify('warning', 'Your chosen ringer is not connected; ringing on the system default output.'));
  }

  /** Re-reads devices; when a chosen one was unplugged, falls back to the default and says so. */
  async refreshDevices(micEnded: boolean): Promise<void> {
    let lists;
    try {
      lists = await listAudioDevices();
    } catch {
      return;
    }
    phoneStore.update((s) => ({ ...s, devices: lists }));
    const settings = phoneStore.get().settings;
    if (!settings) return;
    const missing = missingDevices(settings.audio, lists);
    for (const key of missing) notify('warning', `Your ${deviceNames[key]} was disconnected; using the system default until it is back.`);
    if (missing.includes('micId') || micEnded) await this.audio.setMicrophone(missing.includes('micId') ? null : settings.audio.micId).catch(() => undefined);
    else if (settings.audio.micId && this.audio.micDeviceLabel === null) await this.audio.setMicrophone(settings.audio.micId).catch(() => undefined);
    if (missing.includes('headsetId')) await this.audio.setHeadset(null).catch(() => undefined);
    if (missing.includes('ringerId')) await this.ringer.setDevice(null).catch(() => undefined);
  }

  private async loadHistory(): Promise<void> {
    try {
      const { items, skippedLines } = await this.bridge.readHistory();
      phoneStore.update((s) => ({ ...s, history: items }));
      if (skippedLines > 0) notify('info', `${skippedLines} unreadable line(s) in call history were skipped.`);
    } catch (e) {
      notify('error', (e as Error).message);
    }
  }

  private async onCallEnded(record: CallRecord, needsWrapUp: boolean): Promise<void> {
    // Show it at once; the disk write follows (and is retried if it fails).
    phoneStore.update((s) => ({
      ...s,
      history: [{ ...record, wrapUp: null }, ...s.history.filter((h) => h.id !== record.id)],
      // A raised hand is about that call.
      raisedHand: s.calls.some((c) => c.kind === 'call' && c.answeredAt !== null && c.state !== 'ended') ? s.raisedHand : null,
      ...(needsWrapUp ? { agentState: 'wrap-up' as const, wrapUpFor: { callId: record.id, remote: record.remoteName || record.remote } } : {}),
    }));
    this.unsaved.push(record);
    if (this.reconnectAfterCalls && phoneStore.get().calls.length === 0) {
      this.reconnectAfterCalls = false;
      void this.connect();
    }
    await this.flushHistory();
  }

  private async flushHistory(): Promise<void> {
    while (this.unsaved.length) {
      try {
        await this.bridge.appendCall(this.unsaved[0]);
        this.unsaved.shift();
      } catch (e) {
        notify('error', `${(e as Error).message}. The call is kept and will be saved with the next one.`);
        return;
      }
    }
  }

  async submitWrapUp(callId: string, wrapUp: WrapUp): Promise<boolean> {
    try {
      await this.flushHistory();
      await this.bridge.appendWrapUp(callId, wrapUp);
    } catch (e) {
      notify('error', `Wrap-up not saved: ${(e as Error).message}`);
      return false;
    }
    phoneStore.update((s) => ({
      ...s,
      history: s.history.map((h) => (h.id === callId ? { ...h, wrapUp } : h)),
      wrapUpFor: null,
      agentState: 'ready',
    }));
    return true;
  }

  setAgentState(agentState: 'ready' | 'not-ready' | 'wrap-up'): void {
    phoneStore.update((s) => ({ ...s, agentState }));
  }

  /** The agent asks for help on the current call (a reason, maybe empty), or lowers the hand (null). */
  setRaisedHand(reason: string | null): void {
    phoneStore.update((s) => ({ ...s, raisedHand: reason === null ? null : { reason: reason.trim().slice(0, 140), since: new Date().toISOString() } }));
  }

  /** A supervisor's board watches the agents the policy in force lets this desk supervise. */
  private applyBoard(): void {
    const { settings, orgPolicy } = phoneStore.get();
    this.phone.team.watch(settings?.role === 'supervisor' && orgPolicy?.state === 'active' ? orgPolicy.policy : null);
  }
}
