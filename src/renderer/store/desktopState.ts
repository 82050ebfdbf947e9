import type { UpdateStatus } from '../../shared/bridge';
import { createStore } from './createStore';

/** What the all-day features show in Settings: updates, the browser's notification permission. */
export interface DesktopState {
  update: UpdateStatus | null;
  notifications: 'default' | 'granted' | 'denied' | 'unsupported';
}

export const desktopStore = createStore<DesktopState>({ update: null, notifications: 'unsupported' });
