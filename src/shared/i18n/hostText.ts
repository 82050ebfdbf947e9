/**
 * The few words the desktop host itself shows outside the page (tray, notifications): main has no
 * i18next, and these must follow the same language choice as the page.
 */
const en = {
  appName: 'Whisperline',
  registered: 'Signed in',
  connecting: 'Connecting…',
  offline: 'Signed out',
  unconfigured: 'No SIP account',
  error: 'Cannot sign in',
  ready: 'Ready',
  'not-ready': 'Not ready',
  'wrap-up': 'Wrap-up',
  incomingTitle: 'Incoming call',
  incomingFrom: 'Incoming call from {caller}',
  onCallWith: 'On a call with {peer}',
  onHoldWith: 'On hold: {peer}',
  answer: 'Answer',
  decline: 'Decline',
  hangup: 'Hang up',
  mute: 'Mute',
  unmute: 'Unmute',
  hold: 'Hold',
  resume: 'Resume',
  show: 'Show Whisperline',
  mini: 'Mini call window',
  quit: 'Quit',
} as const;

export type HostTextKey = keyof typeof en;

const de: Record<HostTextKey, string> = {
  appName: 'Whisperline',
  registered: 'Angemeldet',
  connecting: 'Verbinde…',
  offline: 'Abgemeldet',
  unconfigured: 'Kein SIP-Konto',
  error: 'Anmeldung fehlgeschlagen',
  ready: 'Bereit',
  'not-ready': 'Nicht bereit',
  'wrap-up': 'Nachbearbeitung',
  incomingTitle: 'Eingehender Anruf',
  incomingFrom: 'Eingehender Anruf von {caller}',
  onCallWith: 'Im Gespräch mit {peer}',
  onHoldWith: 'Gehalten: {peer}',
  answer: 'Annehmen',
  decline: 'Ablehnen',
  hangup: 'Auflegen',
  mute: 'Stumm',
  unmute: 'Stumm aus',
  hold: 'Halten',
  resume: 'Fortsetzen',
  show: 'Whisperline anzeigen',
  mini: 'Mini-Anruffenster',
  quit: 'Beenden',
};

const tables = { en, de } as const;

/** `choice` is the user's setting (`auto` follows `systemLocale`, e.g. Electron's app.getLocale()). */
export function hostTextFor(choice: string, systemLocale: string): (key: HostTextKey, vars?: Record<string, string>) => string {
  const lang = choice === 'en' || choice === 'de' ? choice : systemLocale.toLowerCase().startsWith('de') ? 'de' : 'en';
  const table: Record<HostTextKey, string> = tables[lang];
  return (key, vars = {}) => table[key].replace(/\{(\w+)\}/g, (_, name: string) => vars[name] ?? '');
}

export type HostText = ReturnType<typeof hostTextFor>;
