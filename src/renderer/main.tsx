import { createRoot } from 'react-dom/client';
import { getBridge } from './bridge';
import { WhisperlineApp } from './app';
import { App } from './views/App';
import { MiniApp } from './views/MiniApp';
import { phoneStore } from './store/phoneState';
import { pageLog } from './diagnostics/pageLog';

// The mini call window is the same page with no phone of its own (views/MiniCallView.tsx).
if (location.hash.startsWith('#/mini')) createRoot(document.getElementById('root')!).render(<MiniApp bridge={getBridge()} />);
else startPhone();

function startPhone(): void {
  // Warnings and errors join the SIP log for "Collect logs" (redacted as they are kept).
  pageLog.installConsoleCapture();
  const app = new WhisperlineApp(getBridge());
  // Read-only diagnostics for support and the end-to-end tests: what the headset plays, the store.
  (window as unknown as { whisperlineDiagnostics: unknown }).whisperlineDiagnostics = {
    headsetLevels: (freqs: number[], windowSamples?: number) => app.audio.headsetLevels(freqs, windowSamples),
    /** The audio clock in frames, to mark an event; starts the headset recording if it is not running. */
    audioClock: async () => (await app.audio.headsetCapture()).now(),
    /** Frame-by-frame tone levels (median, loudest, quietest) of what the headset played. */
    headsetAnalysis: async (freqs: number[], range: { lastMs: number } | { from: number; to: number }) => {
      const tap = await app.audio.headsetCapture();
      return 'lastMs' in range ? tap.analyzeLast(freqs, range.lastMs) : tap.analyze(freqs, range.from, range.to);
    },
    /** Raw samples the headset played between two audio-clock frames (for support: a glitch report). */
    headsetSamples: async (from: number, to: number) => {
      const tap = await app.audio.headsetCapture();
      await tap.until(to);
      return Array.from(tap.read(from, to));
    },
    /** Raw samples the microphone gave between two audio-clock frames. */
    micSamples: async (from: number, to: number) => {
      const tap = await app.audio.micCapture();
      await tap.until(to);
      return Array.from(tap.read(from, to));
    },
    /** The running recordings: where each began on the audio clock (a track's 0 ms). */
    recordingClocks: () => app.recording.clocks(),
    sampleRate: () => app.audio.ctx.sampleRate,
    micLevelDb: () => app.audio.micLevelDb(),
    topology: () => app.audio.topology(),
    state: () => phoneStore.get(),
  };
  createRoot(document.getElementById('root')!).render(<App app={app} />);
  void app.init();
}
