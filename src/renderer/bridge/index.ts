import type { WhisperlineBridge } from '../../shared/bridge';
import { createWebBridge } from './webBridge';

declare global {
  interface Window {
    whisperline?: WhisperlineBridge;
  }
}

/** The Electron preload's bridge when present, else the web build's implementation of the same interface. */
export function getBridge(): WhisperlineBridge {
  return window.whisperline ?? createWebBridge();
}
