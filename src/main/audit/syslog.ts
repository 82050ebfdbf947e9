import { connect, type Socket } from 'node:net';
import { hostname as osHostname } from 'node:os';
import { canonicalJson } from './chain';
import type { AuditEntry } from './entry';

/**
 * Audit entries as syslog messages: RFC 5424 format, sent over TCP with octet-counting framing
 * (RFC 6587 section 3.4.1: "<length> <message>"), which carries any byte safely.
 *
 * Each message:  <PRI>1 TIMESTAMP HOSTNAME whisperline PROCID ACTION [SD-ID seq=".." ...] BOM{json}
 * - PRI: facility 13 ("log audit") by default; severity notice (5), warning (4) for a refusal or failure.
 * - TIMESTAMP: the entry's `at` (UTC, milliseconds). MSGID: the action (join, mode, ...).
 * - Structured data: one element with every field of the entry as an SD-PARAM (", \ and ]
 *   escaped as RFC 5424 section 6.3.3 requires). SD-ID default `whisperline@32473`: 32473 is the
 *   enterprise number IANA reserves for examples; an org may set its own.
 * - MSG: a UTF-8 BOM and the entry's canonical JSON line, so the receiver holds a copy it can
 *   re-verify with the same hash chain. If a message would exceed `maxMessageBytes` (rsyslog's
 *   default limit is 8 KiB) MSG is shortened to a one-line summary; the SD always has every field.
 *
 * Plain syslog over TCP has no acknowledgement. To know the receiver has READ a batch, the sender
 * opens one connection per batch, sends it, half-closes (FIN) and counts the batch as delivered
 * only when the receiver closes its side cleanly after reading to the end. A receiver that dies
 * before that gets the batch again (at-least-once; `seq` and `hash` make repeats recognisable).
 */

export interface AuditSender {
  /** For status lines: where entries go. */
  readonly description: string;
  /** Resolves once the destination has the whole batch; rejects (in words) otherwise. */
  send(entries: readonly AuditEntry[]): Promise<void>;
}

export interface SyslogFormatOptions {
  hostname?: string;
  appName?: string;
  procId?: string;
  /** 0–23; default 13 (log audit). */
  facility?: number;
  sdId?: string;
  maxMessageBytes?: number;
}

export interface SyslogTcpOptions extends SyslogFormatOptions {
  host: string;
  port: number;
  /** Ceiling for connect + send + the receiver's close. Default 15 s. */
  timeoutMs?: number;
}

const BOM = '\ufeff';
/** SD-PARAM order: the entry's fields as they read best. */
const sdFields = ['seq', 'at', 'actor', 'subject', 'call', 'action', 'mode', 'durationMs', 'result', 'reason', 'prevHash', 'hash'] as const;

/** RFC 5424 PARAM-VALUE escaping: '"', '\' and ']' get a backslash. */
export function escapeSdParamValue(value: string): string {
  return value.replace(/["\\\]]/g, (c) => `\\${c}`);
}

/** HOSTNAME, APP-NAME, PROCID and MSGID are PRINTUSASCII (33–126) with a length limit, or "-". */
export function headerField(value: string | undefined, max: number): string {
  const clean = (value ?? '').replace(/[^\x21-\x7e]/g, '').slice(0, max);
  return clean === '' ? '-' : clean;
}

function checkSdName(name: string, what: string): string {
  if (!/^[\x21-\x7e]{1,32}$/.test(name) || /[= \]"]/.test(name)) throw new Error(`syslog: invalid ${what} "${name}"`);
  return name;
}

/** One RFC 5424 message (no framing). */
export function formatSyslogMessage(entry: AuditEntry, opts: SyslogFormatOptions = {}): string {
  const facility = opts.facility ?? 13;
  if (!Number.isInteger(facility) || facility < 0 || facility > 23) throw new Error(`syslog: facility ${facility} is not 0–23`);
  const severity = entry.result === 'ok' ? 5 : 4;
  const sdId = checkSdName(opts.sdId ?? 'whisperline@32473', 'SD-ID');
  const header = [
    `<${facility * 8 + severity}>1`,
    entry.at,
    headerField(opts.hostname ?? osHostname(), 255),
    headerField(opts.appName ?? 'whisperline', 48),
    headerField(opts.procId ?? String(process.pid), 128),
    headerField(entry.action, 32),
  ].join(' ');
  const params = sdFields
    .filter((k) => entry[k] !== undefined)
    .map((k) => `${checkSdName(k, 'SD-PARAM name')}="${escapeSdParamValue(String(entry[k]))}"`);
  const sd = `[${sdId} ${params.join(' ')}]`;
  const max = opts.maxMessageBytes ?? 8192;
  const full = `${header} ${sd} ${BOM}${canonicalJson(entry)}`;
  if (Buffer.byteLength(full, 'utf8') <= max) return full;
  const summary = `${header} ${sd} ${BOM}${entry.actor} ${entry.action} ${entry.subject} (seq ${entry.seq}, full entry in structured data)`;
  if (Buffer.byteLength(summary, 'utf8') <= max) return summary;
  return `${header} ${sd}`;
}

/** RFC 6587 octet counting: the message's length in bytes, a space, the message. */
export function frameOctetCounted(message: string): Buffer {
  const body = Buffer.from(message, 'utf8');
  return Buffer.concat([Buffer.from(`${body.length} `, 'ascii'), body]);
}

export class SyslogTcpSender implements AuditSender {
  readonly description: string;

  constructor(private readonly opts: SyslogTcpOptions) {
    if (!Number.isInteger(opts.port) || opts.port < 1 || opts.port > 65535) throw new Error(`syslog: invalid port ${opts.port}`);
    this.description = `syslog tcp://${opts.host}:${opts.port}`;
  }

  send(entries: readonly AuditEntry[]): Promise<void> {
    const payload = Buffer.concat(entries.map((e) => frameOctetCounted(formatSyslogMessage(e, this.opts))));
    const timeoutMs = this.opts.timeoutMs ?? 15_000;
    return new Promise<void>((resolve, reject) => {
      let sent = false;
      let peerClosed = false;
      let settled = false;
      const sock: Socket = connect({ host: this.opts.host, port: this.opts.port });
      const finish = (err?: Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        sock.destroy();
        if (err) reject(err);
        else resolve();
      };
      const timer = setTimeout(
        () => finish(new Error(`${this.description}: no confirmation within ${timeoutMs} ms (the batch will be sent again)`)),
        timeoutMs,
      );
      sock.on('connect', () => {
        sock.end(payload, () => {
          sent = true;
        });
      });
      sock.on('data', () => undefined);
      sock.on('end', () => {
        peerClosed = true;
      });
      sock.on('error', (e: NodeJS.ErrnoException) => finish(new Error(`${this.description}: ${describeNetError(e)}`, { cause: e })));
      sock.on('close', (hadError) => {
        if (hadError) return; // 'error' already settled it
        if (sent && peerClosed) finish();
        else finish(new Error(`${this.description}: the connection closed before the receiver read the whole batch`));
      });
    });
  }
}

export function describeNetError(e: NodeJS.ErrnoException): string {
  switch (e.code) {
    case 'ECONNREFUSED':
      return 'connection refused (is the log receiver running?)';
    case 'ECONNRESET':
      return 'the receiver reset the connection';
    case 'EPIPE':
      return 'the receiver closed the connection while we were sending';
    case 'ETIMEDOUT':
      return 'connection timed out';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host name not found';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'host unreachable';
    default:
      return e.message;
  }
}
