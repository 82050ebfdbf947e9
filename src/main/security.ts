/**
 * The app's security baseline, kept free of Electron imports so it can be tested with plain objects
 * standing in for Electron's session and webContents.
 */

/** Renderer CSP: only our own bundle; WebSocket to any SIP server the user configures; no eval. */
export const contentSecurityPolicy = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'", // MUI/emotion injects <style> tags at run time
  "img-src 'self' data:",
  "media-src 'self' blob: data:",
  "connect-src 'self' ws: wss:",
  "font-src 'self' data:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** True when a URL belongs to the app's own pages (packaged file:// or the dev server). */
export function isAppUrl(url: string, devServerUrl: string | undefined): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (devServerUrl) {
    const dev = new URL(devServerUrl);
    if (parsed.origin === dev.origin) return true;
  }
  return parsed.protocol === 'file:' && /\/renderer\/index\.html$/.test(parsed.pathname);
}

type PermissionRequest = (
  webContents: unknown,
  permission: string,
  callback: (granted: boolean) => void,
  details: { requestingUrl?: string; mediaTypes?: string[] },
) => void;
type PermissionCheck = (webContents: unknown, permission: string, requestingOrigin: string, details: { requestingUrl?: string; mediaType?: string }) => boolean;

/** A USB device Chromium offers for a WebHID request (Electron's `select-hid-device`). */
export interface HidDeviceOffer {
  deviceId: string;
  name?: string;
}

export interface SessionLike {
  setPermissionRequestHandler(handler: PermissionRequest | null): void;
  setPermissionCheckHandler(handler: PermissionCheck | null): void;
  /** Electron keeps WebHID grants in memory only: this makes the headset come back after a restart. */
  setDevicePermissionHandler?(handler: (details: { deviceType: string; origin: string }) => boolean): void;
  on?(
    event: 'select-hid-device',
    listener: (event: { preventDefault(): void }, details: { deviceList: HidDeviceOffer[]; frame?: { url?: string } | null }, callback: (deviceId?: string) => void) => void,
  ): void;
  webRequest: {
    onHeadersReceived(listener: (details: { url: string; responseHeaders?: Record<string, string[]> }, callback: (r: { responseHeaders?: Record<string, string[]> }) => void) => void): void;
  };
}

/** Microphone (and device enumeration/output selection) for the app's own pages; nothing else, for nobody else. */
export function installPermissionHandlers(session: SessionLike, devServerUrl: string | undefined): void {
  const allowed = new Set(['media', 'speaker-selection', 'notifications']);
  session.setPermissionRequestHandler((_wc, permission, callback, details) => {
    const own = isAppUrl(details.requestingUrl ?? '', devServerUrl);
    const videoAsked = details.mediaTypes?.includes('video') ?? false;
    callback(own && allowed.has(permission) && !videoAsked);
  });
  session.setPermissionCheckHandler((wc, permission, _origin, details) => {
    // Device enumeration checks may come without a URL: then the asking page's own URL decides.
    const url = details.requestingUrl || (wc as { getURL?: () => string } | null)?.getURL?.() || '';
    return isAppUrl(url, devServerUrl) && (allowed.has(permission) || permission === 'hid');
  });
  // WebHID for the headset's call buttons (renderer/headset): the page asks only for telephony
  // devices (usage page 0x0B), so Chromium's list holds headsets; the first is taken, as a
  // contact-center desk has one. Electron shows no chooser of its own.
  const ownOrigin = (origin: string) => origin === 'file://' || (devServerUrl !== undefined && origin === new URL(devServerUrl).origin);
  session.setDevicePermissionHandler?.((details) => details.deviceType === 'hid' && ownOrigin(details.origin));
  session.on?.('select-hid-device', (event, details, callback) => {
    event.preventDefault();
    const own = isAppUrl(details.frame?.url ?? '', devServerUrl);
    callback(own ? details.deviceList[0]?.deviceId : undefined);
  });
  session.webRequest.onHeadersReceived((details, callback) => {
    callback({
      responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [contentSecurityPolicy] },
    });
  });
}

export interface WebContentsLike {
  on(event: 'will-navigate', listener: (event: { preventDefault(): void }, url: string) => void): void;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void;
}

/** No navigation away from the app and no new windows; sip:/tel: links are handed to the dialer. */
export function lockNavigation(webContents: WebContentsLike, devServerUrl: string | undefined, onDialLink: (uri: string) => void): void {
  webContents.on('will-navigate', (event, url) => {
    if (!isAppUrl(url, devServerUrl)) event.preventDefault();
    if (/^(sip|sips|tel):/i.test(url)) onDialLink(url);
  });
  webContents.setWindowOpenHandler(({ url }) => {
    if (/^(sip|sips|tel):/i.test(url)) onDialLink(url);
    return { action: 'deny' };
  });
}
