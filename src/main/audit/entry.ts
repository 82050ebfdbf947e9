import { z } from 'zod';
import { supervisionModes } from '../../shared/supervision/modes';

/**
 * One line of the audit log: who (actor, a SIP identity) did what (action) to whom (subject, the
 * agent) on which call (SIP Call-ID), when, for how long, and with what result. `prevHash` and
 * `hash` chain the entries (see chain.ts); `seq` counts from 1 without gaps.
 */

/** What the apps record. */
export const recordableActions = ['join', 'mode', 'prompt', 'leave', 'takeover', 'refusal'] as const;
/**
 * Plus what the log itself records: `retention`, the oldest entries removed under the policy's
 * audit.retentionDays (`prunedThrough`: the last removed seq, `prunedHash`: its hash), so a log
 * that starts past seq 1 still verifies, and one cut at the front without it does not.
 */
export const auditActions = [...recordableActions, 'retention'] as const;
export type AuditAction = (typeof auditActions)[number];

export const auditResults = ['ok', 'refused', 'failed'] as const;
export type AuditResult = (typeof auditResults)[number];

/** Text limits, in UTF-16 code units. They keep one entry well inside a syslog receiver's 8 KiB. */
export const auditLimits = { identity: 200, call: 200, reason: 400 } as const;

const hex64 = z.string().regex(/^[0-9a-f]{64}$/, 'expected 64 lowercase hex digits');
/** No control characters (C0, DEL, C1) and no lone surrogates: what normalizeEvent guarantees. */
const cleanText = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .refine((s) => s === cleanString(s, max), 'contains control characters or lone surrogates');

export const auditEntrySchema = z
  .strictObject({
    seq: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
    at: z.iso.datetime(),
    actor: cleanText(auditLimits.identity),
    subject: cleanText(auditLimits.identity),
    call: cleanText(auditLimits.call),
    action: z.enum(auditActions),
    mode: z.enum(supervisionModes).optional(),
    durationMs: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
    result: z.enum(auditResults),
    reason: cleanText(auditLimits.reason).optional(),
    prunedThrough: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER).optional(),
    prunedHash: hex64.optional(),
    prevHash: hex64,
    hash: hex64,
  })
  .refine((e) => (e.action === 'retention') === (e.prunedThrough !== undefined && e.prunedHash !== undefined), {
    message: 'a retention entry, and only one, names the last removed entry (prunedThrough, prunedHash)',
    path: ['prunedThrough'],
  })
  .refine((e) => e.action !== 'mode' || e.mode !== undefined, { message: 'a mode change needs a mode', path: ['mode'] })
  .refine((e) => e.action !== 'refusal' || e.result === 'refused', { message: 'a refusal has result "refused"', path: ['result'] });

export type AuditEntry = z.infer<typeof auditEntrySchema>;
/** An entry before it is sealed: everything but its own hash. */
export type UnsealedEntry = Omit<AuditEntry, 'hash'>;
/** What the app records; the log adds seq, prevHash and hash (and `at` when it is left out). */
export type AuditEventBody = Omit<AuditEntry, 'seq' | 'prevHash' | 'hash'>;

/** What callers pass to AuditLog.append. Text may come from hostile SIP input: it is cleaned, never refused. */
export interface AuditEvent {
  at?: string | Date;
  actor: string;
  subject: string;
  call: string;
  /** `retention` entries are written by AuditLog.prune alone. */
  action: (typeof recordableActions)[number];
  mode?: (typeof supervisionModes)[number];
  durationMs?: number;
  result: AuditResult;
  reason?: string;
}

/**
 * Makes an event safe to record: control characters become visible escapes (`\x07`, `\x85`),
 * lone surrogates become U+FFFD, over-long text is cut with an ellipsis, an empty identity becomes
 * "-". A refusal must be auditable even when the request that caused it was garbage, so text is
 * cleaned rather than rejected. Throws only for programming errors (unknown action, bad date).
 */
export function normalizeEvent(ev: AuditEvent, now: () => Date = () => new Date()): AuditEventBody {
  const at = ev.at === undefined ? now() : new Date(ev.at);
  if (Number.isNaN(at.getTime())) throw new Error(`audit event: invalid time ${String(ev.at)}`);
  if (!(recordableActions as readonly string[]).includes(ev.action)) throw new Error(`audit event: unknown action ${String(ev.action)}`);
  if (!(auditResults as readonly string[]).includes(ev.result)) throw new Error(`audit event: unknown result ${String(ev.result)}`);
  if (ev.mode !== undefined && !(supervisionModes as readonly string[]).includes(ev.mode)) {
    throw new Error(`audit event: unknown mode ${String(ev.mode)}`);
  }
  const body: AuditEventBody = {
    at: at.toISOString(),
    actor: cleanString(String(ev.actor ?? ''), auditLimits.identity),
    subject: cleanString(String(ev.subject ?? ''), auditLimits.identity),
    call: cleanString(String(ev.call ?? ''), auditLimits.call),
    action: ev.action,
    result: ev.result,
  };
  if (ev.mode !== undefined) body.mode = ev.mode;
  if (ev.durationMs !== undefined) {
    const d = Math.round(Number(ev.durationMs));
    if (!Number.isFinite(d) || d < 0) throw new Error(`audit event: invalid duration ${String(ev.durationMs)}`);
    body.durationMs = d;
  }
  if (ev.reason !== undefined && ev.reason !== '') body.reason = cleanString(String(ev.reason), auditLimits.reason);
  return body;
}

/** Visible escapes for control characters, U+FFFD for lone surrogates, cut to `max` code units, never empty. */
export function cleanString(s: string, max: number): string {
  let out = s
    .replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
    .replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
  if (out.length > max) {
    let cut = max - 1;
    // Never split a surrogate pair.
    if (cut > 0 && /[\ud800-\udbff]/.test(out[cut - 1])) cut -= 1;
    out = `${out.slice(0, cut)}…`;
  }
  return out === '' ? '-' : out;
}
