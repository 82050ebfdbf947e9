import { useEffect, useState } from 'react';
import type { HostCallState, WhisperlineBridge } from '../../shared/bridge';
import { setLanguage } from '../i18n';
import { MiniCallView } from './MiniCallView';

/** The mini window's page: the agent window's published state, language and contrast included. */
export function MiniApp({ bridge }: { bridge: WhisperlineBridge }) {
  const [state, setState] = useState<HostCallState | null>(null);
  useEffect(() => bridge.onHostCallState(setState), [bridge]);
  const language = state?.display.language ?? 'en';
  useEffect(() => {
    setLanguage(language);
    document.title = 'Whisperline';
  }, [language]);
  return <MiniCallView state={state} act={(a) => bridge.sendCallAction(a)} />;
}
