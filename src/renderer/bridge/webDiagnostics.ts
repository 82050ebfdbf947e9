import type { LogBundleResult } from '../../shared/bridge';

/** Placeholder until the shared bundle lands. */
export async function webCollectLogs(_pageLog: string[], _storage: Storage, _settingsKey: string): Promise<LogBundleResult> {
  return { ok: false, reason: 'Not available yet.' };
}
