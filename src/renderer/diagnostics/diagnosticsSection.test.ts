import { createInstance, type TFunction } from 'i18next';
import { createElement } from 'react';
import { renderToString } from 'react-dom/server';
import { I18nextProvider, initReactI18next } from 'react-i18next';
import { describe, expect, it } from 'vitest';
import type { LogBundleResult } from '../../shared/bridge';
import { DiagnosticsSection, describeOutcome } from '../views/DiagnosticsSection';
import de from '../i18n/locales/de/desktop.json';
import en from '../i18n/locales/en/desktop.json';

async function i18nFor(lng: 'en' | 'de') {
  const i18n = createInstance();
  await i18n.use(initReactI18next).init({ resources: { en: { desktop: en }, de: { desktop: de } }, lng, fallbackLng: 'en', ns: ['desktop'], defaultNS: 'desktop', interpolation: { escapeValue: false } });
  return i18n;
}

const keys = (o: object, prefix = ''): string[] => Object.entries(o).flatMap(([k, v]) => (v && typeof v === 'object' ? keys(v, `${prefix}${k}.`) : [`${prefix}${k}`]));

describe('diagnostics texts', () => {
  it('the desktop texts (diagnostics among them) have the same keys in English and German', () => {
    expect(keys(de).sort()).toEqual(keys(en).sort());
    expect(Object.keys(en)).toContain('diagnostics');
  });
});

describe('describeOutcome', () => {
  const noDownload = () => {
    throw new Error('no download expected');
  };

  it('says where the desktop app saved the zip, and how many secrets went', async () => {
    const t = (await i18nFor('en')).getFixedT('en', 'desktop') as TFunction;
    expect(describeOutcome({ ok: true, fileName: 'w.zip', savedTo: '/home/a/Downloads/w.zip', bytes: null, redactions: 3 }, t, noDownload)).toEqual({ ok: true, message: 'Saved to /home/a/Downloads/w.zip (3 secrets removed).' });
    expect(describeOutcome({ ok: true, fileName: 'w.zip', savedTo: '/d/w.zip', bytes: null, redactions: 1 }, t, noDownload).message).toBe('Saved to /d/w.zip (1 secret removed).');
    const de = (await i18nFor('de')).getFixedT('de', 'desktop') as TFunction;
    expect(describeOutcome({ ok: true, fileName: 'w.zip', savedTo: '/d/w.zip', bytes: null, redactions: 2 }, de, noDownload).message).toBe('Gespeichert unter /d/w.zip (2 vertrauliche Angaben entfernt).');
  });

  it('starts the web download with the bytes and the file name', async () => {
    const t = (await i18nFor('en')).getFixedT('en', 'desktop') as TFunction;
    const got: [Uint8Array, string][] = [];
    const bytes = new Uint8Array([80, 75, 5, 6]);
    const r = describeOutcome({ ok: true, fileName: 'whisperline-logs-20250101-000000.zip', savedTo: null, bytes, redactions: 0 }, t, (b, n) => got.push([b, n]));
    expect(got).toEqual([[bytes, 'whisperline-logs-20250101-000000.zip']]);
    expect(r).toEqual({ ok: true, message: 'Downloading whisperline-logs-20250101-000000.zip: your browser puts it in its downloads folder (0 secrets removed).' });
    expect(describeOutcome({ ok: true, fileName: 'x.zip', savedTo: null, bytes, redactions: 0 }, t, () => { throw new Error('blocked'); })).toEqual({ ok: false, message: 'The logs were collected but the download could not start: blocked' });
  });

  it('shows the host’s sentence when it failed', async () => {
    const t = (await i18nFor('en')).getFixedT('en', 'desktop') as TFunction;
    expect(describeOutcome({ ok: false, reason: 'The logs could not be saved in /x: the disk is full.' }, t, noDownload)).toEqual({ ok: false, message: 'The logs could not be saved in /x: the disk is full.' });
  });
});

describe('DiagnosticsSection', () => {
  it('renders the heading, the explanation and the button', async () => {
    const i18n = await i18nFor('de');
    const html = renderToString(createElement(I18nextProvider, { i18n }, createElement(DiagnosticsSection, { collect: async (): Promise<LogBundleResult> => ({ ok: false, reason: 'x' }) })));
    expect(html).toContain('Diagnose');
    expect(html).toContain('Protokolle sammeln');
    expect(html).toContain('data-testid="collect-logs"');
  });
});
