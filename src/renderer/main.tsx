import { createRoot } from 'react-dom/client';
import { getBridge } from './bridge';
import { WhisperlineApp } from './app';
import { App } from './views/App';
import { phoneStore } from './store/phoneState';

const app = new WhisperlineApp(getBridge());
// Read-only diagnostics for support and the end-to-end tests: what the headset plays, the store.
(window as unknown as { whisperlineDiagnostics: unknown }).whisperlineDiagnostics = {
  headsetLevels: (freqs: number[]) => app.audio.headsetLevels(freqs),
  micLevelDb: () => app.audio.micLevelDb(),
  topology: () => app.audio.topology(),
  state: () => phoneStore.get(),
};
createRoot(document.getElementById('root')!).render(<App app={app} />);
void app.init();
