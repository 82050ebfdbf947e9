import { useEffect, useState } from 'react';
import type { HostCallState, WhisperlineBridge } from '../../shared/bridge';
import { setLanguage } from '../i18n';
import { MiniCallView } from './MiniCallView';

/** The mini window's page: language and contrast follow what the agent's window publishes. */
export function MiniApp({ bridge }: { bridge: WhisperlineBridge }) {
  const [display, setDisplay] = useState<HostCallState['display']>({ language: 'en', highContrast: false });
  useEffect(() => bridge.onHostCallState((s) => setDisplay(s.display)), [bridge]);
  useEffect(() => {
    setLanguage(display.language);
    document.title = 'Whisperline';
  }, [display.language]);
  return <MiniCallView bridge={bridge} highContrast={display.highContrast} />;
}
