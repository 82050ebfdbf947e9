import type { CallAction, WhisperlineBridge } from '../../shared/bridge';
import { parseDialLink } from '../../shared/dialLink';
import { i18n, t } from '../i18n';
import { notify, phoneStore } from '../store/phoneState';
import { desktopStore } from '../store/desktopState';
import type { Phone } from '../sip/phone';
import { wantsHighContrast } from '../views/theme';
import { watchAnnouncements } from '../a11y/announcements';
import { linkCallHost } from './callHostLink';
import { watchCallKeys } from '../input/callKeys';
import { HeadsetControl, headsetStateOf, navigatorHid } from '../headset/headsetControl';

const media = (q: string) => typeof matchMedia === 'function' && matchMedia(q).matches;

/**
 * What makes the app livable all day, around the phone: the tray / notification / mini window
 * link, global and page call keys, sip:/tel: links (confirmed first), screen-reader announcements,
 * update status. Only talks to the phone through the calls it exposes.
 */
export class DesktopFeatures {
  private readonly link: ReturnType<typeof linkCallHost>;
  /** USB headset buttons and LEDs over WebHID (headset/headsetControl.ts). */
  readonly headset: HeadsetControl;

  constructor(private readonly bridge: WhisperlineBridge, private readonly phone: Phone) {
    this.headset = new HeadsetControl(navigatorHid(), {
      answer: () => this.act('answer'),
      hangup: () => this.act('hangup'),
      toggleMute: () => this.act('toggle-mute'),
      toggleHold: () => this.act('toggle-hold'),
    });
    // The headset's LEDs follow the same call state as the tray (its hook state too: many headsets
    // echo the off-hook LED), computed once per change.
    this.link = linkCallHost(
      bridge,
      phone,
      () => ({
        language: i18n.language === 'de' ? 'de' : 'en',
        highContrast: wantsHighContrast(phoneStore.get().settings?.contrast ?? 'auto', media),
      }),
      (state) => this.headset.update(headsetStateOf(state)),
    );
    i18n.on('languageChanged', () => this.link.publish());
    watchAnnouncements((key, vars) => t(key, { ns: 'desktop', ...vars }));
    watchCallKeys((action) => this.act(action));
    void this.headset.restore();
    bridge.onDialRequest((uri) => this.requestDial(uri));
    void bridge.getUpdateStatus().then((update) => desktopStore.update((s) => ({ ...s, update })));
    bridge.onUpdateStatus((update) => desktopStore.update((s) => ({ ...s, update })));
    if (typeof Notification !== 'undefined') desktopStore.update((s) => ({ ...s, notifications: Notification.permission }));
  }

  /** An action from an in-page source (keys, headset) acts like one from the tray. */
  act(action: CallAction): void {
    this.link.act(action);
  }

  /** A sip:/tel: link from another app: checked, then shown for the agent to confirm. */
  requestDial(uri: string): void {
    // A link that started the app arrives before the settings are read: it waits for the account.
    if (!phoneStore.get().settings) {
      const stop = phoneStore.subscribe(() => {
        if (!phoneStore.get().settings) return;
        stop();
        this.requestDial(uri);
      });
      return;
    }
    const domain = phoneStore.get().settings?.account?.domain ?? '';
    const parsed = parseDialLink(uri, domain);
    if (!parsed.ok) {
      notify('warning', t('dialRequest.refused', { ns: 'desktop', reason: parsed.reason }));
      return;
    }
    phoneStore.update((s) => ({ ...s, dialRequest: { target: parsed.target, display: parsed.display } }));
  }

  async confirmDial(): Promise<void> {
    const request = phoneStore.get().dialRequest;
    phoneStore.update((s) => ({ ...s, dialRequest: null }));
    if (request) await this.phone.dial(request.target);
  }

  cancelDial(): void {
    phoneStore.update((s) => ({ ...s, dialRequest: null }));
  }

  setMiniWindow(open: boolean): Promise<void> {
    return this.bridge.setMiniWindow(open);
  }

  /** Web build: the browser asks once; the answer is remembered per site. */
  async allowNotifications(): Promise<void> {
    if (typeof Notification === 'undefined') return;
    const permission = await Notification.requestPermission();
    desktopStore.update((s) => ({ ...s, notifications: permission }));
  }

  installUpdate(): Promise<void> {
    // Never restart under a call: the button is disabled then, and this is the last guard.
    if (phoneStore.get().calls.some((c) => c.state !== 'ended')) return Promise.resolve();
    return this.bridge.installUpdate();
  }
}
