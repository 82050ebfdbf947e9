import { CssBaseline, ThemeProvider } from '@mui/material';
import { useEffect, useSyncExternalStore } from 'react';
import type { WhisperlineApp } from '../app';
import { useTranslation } from 'react-i18next';
import { setLanguage } from '../i18n';
import { useStore } from '../store/createStore';
import { phoneStore } from '../store/phoneState';
import { AgentView } from './AgentView';
import { LiveAnnouncer } from './LiveAnnouncer';
import { themeFor, wantsHighContrast } from './theme';

const contrastQueries = ['(prefers-contrast: more)', '(forced-colors: active)'];
const media = (q: string) => typeof matchMedia === 'function' && matchMedia(q).matches;
function subscribeContrast(listener: () => void): () => void {
  const lists = typeof matchMedia === 'function' ? contrastQueries.map((q) => matchMedia(q)) : [];
  lists.forEach((l) => l.addEventListener('change', listener));
  return () => lists.forEach((l) => l.removeEventListener('change', listener));
}

/** High contrast as the setting and the system say, following the system when it changes. */
export function useHighContrast(choice: 'auto' | 'standard' | 'high'): boolean {
  return useSyncExternalStore(subscribeContrast, () => wantsHighContrast(choice, media));
}

export function App({ app }: { app: WhisperlineApp }) {
  const language = useStore(phoneStore, (s) => s.settings?.language ?? 'auto');
  const contrast = useStore(phoneStore, (s) => s.settings?.contrast ?? 'auto');
  const high = useHighContrast(contrast);
  useEffect(() => setLanguage(language), [language]);
  const { i18n } = useTranslation();
  return (
    <ThemeProvider theme={themeFor(high, i18n.language === 'de' ? 'de' : 'en')}>
      <CssBaseline />
      <div onPointerDown={() => app.audio.resume()} data-contrast={high ? 'high' : 'standard'}>
        <LiveAnnouncer />
        <AgentView app={app} />
      </div>
    </ThemeProvider>
  );
}
