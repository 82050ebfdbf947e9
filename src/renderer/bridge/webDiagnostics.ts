import type { LogBundleResult } from '../../shared/bridge';
import { pageLogBundle } from '../../shared/diagnostics/bundle';
import { redactJson } from '../../shared/diagnostics/redact';

/**
 * "Collect logs" in the web build: the page's own log and its settings (through the same
 * redaction), zipped in the page for the user to download. The SIP password is in sessionStorage
 * and never read here.
 */
export async function webCollectLogs(pageLog: string[], storage: Storage, settingsKey: string): Promise<LogBundleResult> {
  const text = storage.getItem(settingsKey);
  let settingsJson: { text: string; redactions: number } | undefined;
  if (text) {
    try {
      const r = redactJson(JSON.parse(text));
      settingsJson = { text: JSON.stringify(r.value, null, 2), redactions: r.count };
    } catch {
      settingsJson = { text: '(the saved settings are not valid JSON and were left out)', redactions: 0 };
    }
  }
  return pageLogBundle(pageLog, { appVersion: 'web', createdAt: new Date(), platform: navigator.userAgent, settingsJson });
}
