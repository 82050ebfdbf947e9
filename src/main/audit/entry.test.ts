import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sealEntry } from './chain';
import { auditEntrySchema, auditLimits, cleanString, normalizeEvent } from './entry';

const base = { actor: 'sip:sup@x', subject: 'sip:agent@x', call: 'c-1', action: 'join', result: 'ok' } as const;

describe('audit entry', () => {
  it('fills in the time, keeps the fields, leaves out what was not given', () => {
    const body = normalizeEvent({ ...base, mode: 'listen' }, () => new Date('2026-01-02T03:04:05.678Z'));
    expect(body).toEqual({ at: '2026-01-02T03:04:05.678Z', actor: 'sip:sup@x', subject: 'sip:agent@x', call: 'c-1', action: 'join', mode: 'listen', result: 'ok' });
    expect(normalizeEvent({ ...base, at: '2026-01-02T04:04:05+01:00', durationMs: 1234.4 })).toMatchObject({ at: '2026-01-02T03:04:05.000Z', durationMs: 1234 });
  });

  it('cleans hostile text instead of refusing it, so a refusal is always auditable', () => {
    const body = normalizeEvent({
      ...base,
      action: 'refusal',
      result: 'refused',
      actor: 'sip:x@y\r\nX-Injected: 1',
      subject: '',
      call: 'a\u0000b\u0085c\ud800',
      reason: 'r'.repeat(5000),
    });
    expect(body.actor).toBe('sip:x@y\\x0d\\x0aX-Injected: 1');
    expect(body.subject).toBe('-');
    expect(body.call).toBe('a\\x00b\\x85c\ufffd');
    expect(body.reason).toHaveLength(auditLimits.reason);
    expect(body.reason!.endsWith('…')).toBe(true);
    expect(cleanString('😀'.repeat(10), 6)).toBe('😀😀…'); // a surrogate pair is never split
  });

  it('refuses programming errors: unknown action, result or mode, bad time, negative duration', () => {
    expect(() => normalizeEvent({ ...base, action: 'spy' as never })).toThrow(/unknown action/);
    expect(() => normalizeEvent({ ...base, result: 'maybe' as never })).toThrow(/unknown result/);
    expect(() => normalizeEvent({ ...base, mode: 'shout' as never })).toThrow(/unknown mode/);
    expect(() => normalizeEvent({ ...base, at: 'yesterday' })).toThrow(/invalid time/);
    expect(() => normalizeEvent({ ...base, durationMs: -1 })).toThrow(/invalid duration/);
  });

  it('schema: a mode change needs a mode, a refusal is "refused", no unknown fields', () => {
    const ok = sealEntry(null, normalizeEvent({ ...base, action: 'mode', mode: 'barge' }));
    expect(auditEntrySchema.safeParse(ok).success).toBe(true);
    const { mode: _m, ...noMode } = ok;
    expect(auditEntrySchema.safeParse(noMode).success).toBe(false);
    expect(auditEntrySchema.safeParse({ ...ok, action: 'refusal', result: 'ok' }).success).toBe(false);
    expect(auditEntrySchema.safeParse({ ...ok, extra: 1 }).success).toBe(false);
    expect(auditEntrySchema.safeParse({ ...ok, actor: 'a\nb' }).success).toBe(false);
    expect(auditEntrySchema.safeParse({ ...ok, at: '2026-01-02T04:04:05+01:00' }).success).toBe(false);
  });

  it('property: any text at all gives an entry the schema accepts', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 500 }), fc.string({ unit: 'binary', maxLength: 500 }), (a, b) => {
        const entry = sealEntry(null, normalizeEvent({ ...base, actor: a, subject: b, call: a + b, reason: b }));
        expect(auditEntrySchema.safeParse(entry).success).toBe(true);
      }),
      { seed: 8, numRuns: 200 },
    );
  }, 120_000);
});
