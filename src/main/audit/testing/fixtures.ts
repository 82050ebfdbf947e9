// Test helper (not part of the app): sample audit entries and chains.
import { createServer, type AddressInfo } from 'node:net';
import { sealEntry, entryLine } from '../chain';
import { normalizeEvent, type AuditEntry, type AuditEvent } from '../entry';

export const sampleEvents: AuditEvent[] = [
  { at: '2026-03-01T09:00:00.000Z', actor: 'sip:sup@pbx.test', subject: 'sip:agent1@pbx.test', call: 'a84b4c76e66710@pc33', action: 'join', mode: 'listen', result: 'ok' },
  { at: '2026-03-01T09:00:05.250Z', actor: 'sip:sup@pbx.test', subject: 'sip:agent1@pbx.test', call: 'a84b4c76e66710@pc33', action: 'mode', mode: 'whisper', result: 'ok' },
  { at: '2026-03-01T09:00:09.000Z', actor: 'sip:sup@pbx.test', subject: 'sip:agent1@pbx.test', call: 'a84b4c76e66710@pc33', action: 'prompt', result: 'ok', reason: 'Offer the "loyalty" discount, then confirm]' },
  { at: '2026-03-01T09:01:00.000Z', actor: 'sip:sup@pbx.test', subject: 'sip:agent1@pbx.test', call: 'a84b4c76e66710@pc33', action: 'leave', mode: 'whisper', durationMs: 55_000, result: 'ok' },
  { at: '2026-03-01T23:59:59.999Z', actor: 'sip:mallory@evil.test', subject: 'sip:agent2@pbx.test', call: 'x@y', action: 'refusal', mode: 'barge', result: 'refused', reason: 'signature does not verify' },
  { at: '2026-03-02T00:00:00.000Z', actor: 'sip:Zoë@pbx.test', subject: 'sip:电话@pbx.test', call: '😀-call', action: 'takeover', mode: 'takeover', result: 'ok', reason: '=HYPERLINK("http://127.0.0.1/x","click")' },
];

/** A chain of entries from events (the sample ones by default). */
export function chainOf(events: readonly AuditEvent[] = sampleEvents): AuditEntry[] {
  const out: AuditEntry[] = [];
  for (const ev of events) out.push(sealEntry(out[out.length - 1] ?? null, normalizeEvent(ev)));
  return out;
}

/** The log file's text for these entries. */
export function logText(entries: readonly AuditEntry[]): string {
  return entries.map(entryLine).join('');
}

/** A loopback TCP port free right now (for a test server or daemon to listen on). */
export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}
