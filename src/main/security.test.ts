import { describe, expect, it } from 'vitest';
import { contentSecurityPolicy, installPermissionHandlers, isAppUrl, lockNavigation, type SessionLike, type WebContentsLike } from './security';

function fakeSession() {
  const s: { request?: Parameters<SessionLike['setPermissionRequestHandler']>[0]; check?: Parameters<SessionLike['setPermissionCheckHandler']>[0]; headers?: Parameters<SessionLike['webRequest']['onHeadersReceived']>[0] } = {};
  const session: SessionLike = {
    setPermissionRequestHandler: (h) => (s.request = h),
    setPermissionCheckHandler: (h) => (s.check = h),
    webRequest: { onHeadersReceived: (l) => (s.headers = l) },
  };
  return { session, s };
}

const appPage = 'file:///opt/Whisperline/resources/app.asar/out/renderer/index.html#/agent';

describe('window security baseline', () => {
  it('grants the microphone only to the app’s own pages', () => {
    const { session, s } = fakeSession();
    installPermissionHandlers(session, undefined);
    const ask = (url: string, permission = 'media', mediaTypes = ['audio']) => {
      let granted: boolean | undefined;
      s.request!({}, permission, (g) => (granted = g), { requestingUrl: url, mediaTypes });
      return granted;
    };
    expect(ask(appPage)).toBe(true);
    expect(ask('https://evil.example/')).toBe(false);
    expect(ask(appPage, 'media', ['audio', 'video'])).toBe(false);
    expect(ask(appPage, 'geolocation')).toBe(false);
    expect(s.check!({}, 'media', 'https://evil.example', { requestingUrl: 'https://evil.example/' })).toBe(false);
    expect(s.check!({ getURL: () => appPage }, 'media', 'file://', {})).toBe(true);
    expect(s.check!({ getURL: () => 'https://evil.example/' }, 'media', 'https://evil.example', {})).toBe(false);
  });

  it("WebHID: the app's pages get the headset Chromium offers; another page gets none, and nothing else is granted", () => {
    const { session } = fakeSession();
    let select: Parameters<NonNullable<SessionLike['on']>>[1] | undefined;
    let device: Parameters<NonNullable<SessionLike['setDevicePermissionHandler']>>[0] | undefined;
    installPermissionHandlers({ ...session, on: (_e, l) => (select = l), setDevicePermissionHandler: (h) => (device = h) }, undefined);
    const pick = (url: string) => {
      let chosen: string | undefined = 'not called';
      let prevented = false;
      select!({ preventDefault: () => (prevented = true) }, { deviceList: [{ deviceId: 'hs-1', name: 'Headset' }, { deviceId: 'hs-2' }], frame: { url } }, (id) => (chosen = id));
      return { chosen, prevented };
    };
    expect(pick(appPage)).toEqual({ chosen: 'hs-1', prevented: true });
    expect(pick('https://evil.example/')).toEqual({ chosen: undefined, prevented: true });
    expect(device!({ deviceType: 'hid', origin: 'file://' })).toBe(true);
    expect(device!({ deviceType: 'hid', origin: 'https://evil.example' })).toBe(false);
    expect(device!({ deviceType: 'usb', origin: 'file://' })).toBe(false);
  });

  it('sends a strict CSP with every response', () => {
    const { session, s } = fakeSession();
    installPermissionHandlers(session, undefined);
    let headers: Record<string, string[]> | undefined;
    s.headers!({ url: appPage, responseHeaders: {} }, (r) => (headers = r.responseHeaders));
    expect(headers!['Content-Security-Policy'][0]).toBe(contentSecurityPolicy);
    expect(contentSecurityPolicy).toContain("script-src 'self'");
    expect(contentSecurityPolicy).not.toContain('unsafe-eval');
  });

  it('blocks navigation away and new windows; hands sip: links to the dialer', () => {
    let navigate: ((e: { preventDefault(): void }, url: string) => void) | undefined;
    let open: ((d: { url: string }) => { action: 'deny' }) | undefined;
    const wc: WebContentsLike = { on: (_e, l) => (navigate = l), setWindowOpenHandler: (h) => (open = h) };
    const dialled: string[] = [];
    lockNavigation(wc, undefined, (u) => dialled.push(u));
    let prevented = 0;
    navigate!({ preventDefault: () => prevented++ }, 'https://evil.example/');
    navigate!({ preventDefault: () => prevented++ }, 'sip:2001@pbx');
    navigate!({ preventDefault: () => prevented++ }, appPage);
    expect(prevented).toBe(2);
    expect(open!({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
    expect(open!({ url: 'tel:+15550100' })).toEqual({ action: 'deny' });
    expect(dialled).toEqual(['sip:2001@pbx', 'tel:+15550100']);
  });

  it('knows its own pages, in production and on the dev server', () => {
    expect(isAppUrl(appPage, undefined)).toBe(true);
    expect(isAppUrl('file:///tmp/evil.html', undefined)).toBe(false);
    expect(isAppUrl('http://localhost:5173/#/agent', 'http://localhost:5173')).toBe(true);
    expect(isAppUrl('not a url', undefined)).toBe(false);
  });
});
