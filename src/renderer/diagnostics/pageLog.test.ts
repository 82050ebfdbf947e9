import { describe, expect, it } from 'vitest';
import { normalizePageLog } from '../../shared/diagnostics/bundle';
import { formatArg, PageLog, pageLog } from './pageLog';

const at = new Date('2025-03-04T05:06:07.000Z');
const make = (o: ConstructorParameters<typeof PageLog>[0] = {}) => new PageLog({ now: () => at, ...o });

describe('PageLog', () => {
  it('timestamps and redacts each line as it enters', () => {
    const log = make();
    log.logConnector('log', 'sip.Transport', undefined, 'Sending WebSocket message:\n\nREGISTER sip:x SIP/2.0\r\nAuthorization: Digest username="1001", nonce="n0nce", response="6629fae49393a05397450978507c4ef1"\r\nCall-ID: abc\r\n');
    const lines = log.lines();
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe('# whisperline page log: 1 lines kept, 0 older dropped, 1 secrets removed on capture');
    expect(lines[1]).toMatch(/^2025-03-04T05:06:07.000Z LOG {3}sip.Transport Sending WebSocket message:/);
    expect(lines[1]).not.toContain('6629fae49393a05397450978507c4ef1');
    expect(lines[1]).not.toContain('n0nce');
    expect(lines[1]).toContain('Call-ID: abc');
  });

  it('drops SIP.js debug lines unless asked for them, and names the label', () => {
    const log = make();
    log.logConnector('debug', 'sip.Dialog', undefined, 'chatter');
    log.logConnector('warn', 'sip.Invite', 'abc123', 'careful');
    log.sipLevel = 'debug';
    log.logConnector('debug', 'sip.Dialog', undefined, 'now kept');
    expect(log.lines().slice(1).map((l) => l.slice(25))).toEqual(['WARN  sip.Invite[abc123] careful', 'DEBUG sip.Dialog now kept']);
  });

  it('keeps only the newest lines within the line and size limits', () => {
    const log = make({ maxLines: 3 });
    for (let i = 0; i < 10; i++) log.add('log', 't', `line ${i}`);
    expect(log.lines().slice(1).map((l) => l.split(' ').slice(-1)[0])).toEqual(['7', '8', '9']);
    expect(log.lines()[0]).toContain('7 older dropped');

    const small = make({ maxChars: 200, maxLineChars: 100 });
    for (let i = 0; i < 2000; i++) small.add('log', 't', `${i} ${'x'.repeat(30)}`);
    const kept = small.lines().slice(1);
    expect(kept.join('').length).toBeLessThanOrEqual(200);
    expect(kept.at(-1)).toContain('1999 ');
    small.add('log', 't', 'y'.repeat(10_000));
    expect(small.lines().at(-1)).toMatch(/… \[line cut\]$/);
    expect(small.lines().at(-1)!.length).toBeLessThan(120);
  });

  it('hands over only what the IPC handler accepts (at most 5000 lines of 8192 characters)', () => {
    const log = make({ maxLineChars: 100_000, maxLines: 100_000 });
    for (let i = 0; i < 6000; i++) log.add('log', 't', `${i} ${'s'.repeat(i % 1000 === 0 ? 50_000 : 1)}`);
    const lines = log.lines();
    expect(lines.length).toBe(5000);
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(8192);
  });

  it('stays bounded over a long run', () => {
    const log = make({ maxLines: 50 });
    for (let i = 0; i < 20_000; i++) log.add('log', 't', `l${i}`);
    expect(log.lines()).toHaveLength(51);
    expect(log.lines().at(-1)).toMatch(/l19999$/);
  });

  it('copies console.warn and console.error, still printing them, and can be undone', () => {
    const log = make();
    const printed: unknown[][] = [];
    const target = { warn: (...a: unknown[]) => printed.push(a), error: (...a: unknown[]) => printed.push(a) };
    const undo = log.installConsoleCapture(target);
    expect(log.installConsoleCapture(target)).toBe(undo);
    target.warn('registration failed', { password: 'hunter2', code: 401 });
    target.error(new Error('boom'));
    undo();
    target.warn('after');
    expect(printed).toHaveLength(3);
    const lines = log.lines().slice(1);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toContain('WARN  console registration failed {"password":"[redacted]","code":401}');
    expect(lines[1]).toContain('ERROR console Error: boom');
  });

  it('formats awkward console arguments without throwing', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    expect(formatArg(cyclic)).toBe('{"a":1,"self":"[circular]"}');
    expect(formatArg(10n)).toBe('10');
    expect(formatArg(undefined)).toBe('undefined');
    const hostile = { toJSON: () => { throw new Error('no'); } };
    expect(formatArg(hostile)).toBe('[object Object]');
  });

  it('hands the bundle lines it accepts, with its redaction count', () => {
    const log = make();
    log.add('log', 't', 'password=abc');
    const page = normalizePageLog(log.lines());
    expect(page.claimedRedactions).toBe(1);
    expect(page.text).toContain('password=[redacted]');
  });

  it('is one shared instance', () => {
    expect(pageLog).toBeInstanceOf(PageLog);
    // Detached, as SIP.js calls it: still bound to the instance.
    const connector = pageLog.logConnector;
    connector('error', 'sip.Test', undefined, 'detached call');
    expect(pageLog.lines().at(-1)).toContain('ERROR sip.Test detached call');
    pageLog.clear();
  });
});
