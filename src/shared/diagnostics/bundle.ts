/**
 * The "Collect logs" zip: every file redacted (redact.ts), cut to its newest part when large, plus
 * a README.txt and a manifest.json saying what is inside, what was cut, and how many secrets were
 * taken out of each file. Pure (no Node, no DOM): main builds it from files on disk, the web
 * build from the page's own log.
 */
import { strToU8, zipSync, type Zippable } from 'fflate';
import type { LogBundleResult } from '../bridge';
import { redactText } from './redact';

/** Each file in the zip keeps at most its last 5 MB (logs grow at the end: the newest part matters). */
export const maxBundleFileBytes = 5 * 1024 * 1024;

/**
 * What the page may hand over (it comes over IPC from the renderer: never trusted for size).
 * lines and lineChars match what main/ipc.ts lets through; the page's buffer stays inside them.
 */
export const pageLogLimits = { lines: 5000, lineChars: 8192, totalChars: 2 * 1024 * 1024 } as const;

/** The page log's first line (pageLog.ts), carrying how many secrets it removed on capture. */
export const pageLogHeaderPrefix = '# whisperline page log:';
const claimedPattern = /^# whisperline page log:.*?\b(\d{1,7}) secrets? removed/;

export const secretsRemovedSentence =
  'Passwords, SIP digest credentials and nonces, supervision statements, private keys and access tokens were removed from every file before it was packed; each place shows [redacted]. Customer phone numbers are left out of the call history and recordings summaries.';

export interface BundleFile {
  /** A plain file name; anything but letters, digits, `.`, `_` and `-` is replaced. */
  name: string;
  text: string;
  /** Secrets already taken out before it got here (e.g. by redactJson), added to this file's count. */
  redactions?: number;
  /** Said in the manifest, e.g. "last 1 MB of 3.2 MB". */
  note?: string;
  /** Already cut before it got here (the caller read only the file's tail). */
  truncated?: boolean;
}

export interface BundleMeta {
  appVersion: string;
  host: string;
  createdAt: Date;
  platform?: string;
  policySummary?: string;
  versions?: Record<string, string>;
  /** Anything else support should read first (files left out and why). */
  notes?: string[];
}

export interface ManifestFile {
  name: string;
  bytes: number;
  redactions: number;
  truncated: boolean;
  note?: string;
}

export interface LogBundle {
  bytes: Uint8Array;
  redactions: number;
  fileName: string;
  manifest: { files: ManifestFile[] } & Record<string, unknown>;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** `whisperline-logs-YYYYMMDD-HHMMSS.zip` in local time: what the user sees in their downloads. */
export function bundleFileName(d: Date): string {
  return `whisperline-logs-${d.getFullYear()}${pad(d.getMonth() + 1)}${pad(d.getDate())}-${pad(d.getHours())}${pad(d.getMinutes())}${pad(d.getSeconds())}.zip`;
}

export function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MB`;
  if (n >= 1024) return `${Math.round(n / 1024)} KB`;
  return `${n} bytes`;
}

/**
 * The last `maxBytes` (UTF-8) of `text`, starting at a line start when one is near (else at a
 * character boundary). Redact before cutting: a cut through a key block would hide its BEGIN line.
 */
export function tailText(text: string, maxBytes: number): { text: string; cut: boolean; bytes: number } {
  const bytes = new TextEncoder().encode(text);
  if (bytes.length <= maxBytes) return { text, cut: false, bytes: bytes.length };
  let start = bytes.length - maxBytes;
  const nl = bytes.subarray(start, Math.min(bytes.length, start + 64 * 1024)).indexOf(0x0a);
  if (nl >= 0) start += nl + 1;
  else while (start < bytes.length && (bytes[start] & 0xc0) === 0x80) start++;
  return { text: new TextDecoder().decode(bytes.subarray(start)), cut: true, bytes: bytes.length };
}

/**
 * Makes whatever the renderer sent into bounded page-log text: not a list → left out; items that
 * are not strings dropped; each line cut to lineChars; only the newest lines and characters kept.
 */
export function normalizePageLog(input: unknown): { text: string; lines: number; notes: string[]; claimedRedactions: number } {
  const notes: string[] = [];
  if (!Array.isArray(input)) return { text: '', lines: 0, notes: ['The page log was not a list of lines; it was left out.'], claimedRedactions: 0 };
  // Look at no more than the newest entries: a huge array costs nothing past this slice.
  let items = input.length > pageLogLimits.lines ? input.slice(-pageLogLimits.lines) : input.slice();
  if (input.length > pageLogLimits.lines) notes.push(`The page log had ${input.length} lines; the newest ${pageLogLimits.lines} are kept.`);
  let claimed = 0;
  const first = input[0];
  if (typeof first === 'string' && first.startsWith(pageLogHeaderPrefix)) {
    claimed = Number(claimedPattern.exec(first)?.[1] ?? 0);
    if (items[0] !== first) items = [first, ...items.slice(1)];
  }
  const strings = items.filter((x): x is string => typeof x === 'string');
  if (strings.length !== items.length) notes.push(`${items.length - strings.length} page log entries were not text and were dropped.`);
  let longLines = 0;
  const lines = strings.map((s) => {
    if (s.length <= pageLogLimits.lineChars) return s;
    longLines++;
    return `${s.slice(0, pageLogLimits.lineChars - 12)}… [line cut]`;
  });
  if (longLines) notes.push(`${longLines} page log lines were longer than ${pageLogLimits.lineChars} characters and were cut.`);
  let total = 0;
  let from = lines.length;
  while (from > 0 && total + lines[from - 1].length + 1 <= pageLogLimits.totalChars) total += lines[--from].length + 1;
  if (from > 0) notes.push(`The page log was larger than ${formatBytes(pageLogLimits.totalChars)}; its newest ${lines.length - from} lines are kept.`);
  const kept = lines.slice(from);
  return { text: kept.length ? `${kept.join('\n')}\n` : '', lines: kept.length, notes, claimedRedactions: claimed };
}

function safeName(name: string, taken: Set<string>): string {
  let base = name.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '') || 'file.txt';
  if (base.length > 100) base = base.slice(-100);
  let candidate = base;
  for (let i = 2; taken.has(candidate.toLowerCase()); i++) candidate = base.replace(/(\.[^.]*)?$/, (ext) => `-${i}${ext}`);
  taken.add(candidate.toLowerCase());
  return candidate;
}

/** Redacts, caps and zips `files`; adds README.txt and manifest.json. Throws only on a programming error. */
export function buildLogBundle(files: readonly BundleFile[], meta: BundleMeta, opts: { maxFileBytes?: number } = {}): LogBundle {
  const cap = opts.maxFileBytes ?? maxBundleFileBytes;
  const taken = new Set(['readme.txt', 'manifest.json']);
  const zip: Zippable = {};
  const listed: ManifestFile[] = [];
  let total = 0;
  for (const f of files) {
    const name = safeName(f.name, taken);
    const red = redactText(f.text);
    const tail = tailText(red.text, cap);
    const body = tail.cut ? `[… earlier part cut: this is the last ${formatBytes(cap)} of ${formatBytes(tail.bytes)}]\n${tail.text}` : tail.text;
    const redactions = red.count + Math.max(0, Math.floor(f.redactions ?? 0));
    total += redactions;
    const note = [f.note, tail.cut ? `cut to the last ${formatBytes(cap)} of ${formatBytes(tail.bytes)}` : undefined].filter(Boolean).join('; ');
    const data = strToU8(body);
    zip[name] = data;
    listed.push({ name, bytes: data.length, redactions, truncated: tail.cut || f.truncated === true, ...(note ? { note } : {}) });
  }
  const fileName = bundleFileName(meta.createdAt);
  const manifest = {
    format: 1,
    app: 'Whisperline',
    appVersion: meta.appVersion,
    host: meta.host,
    ...(meta.platform ? { platform: meta.platform } : {}),
    ...(meta.versions ? { versions: meta.versions } : {}),
    createdAt: meta.createdAt.toISOString(),
    ...(meta.policySummary ? { policy: redactText(meta.policySummary).text } : {}),
    secretsRemoved: secretsRemovedSentence,
    redactions: total,
    files: listed,
    notes: meta.notes ?? [],
  };
  zip['manifest.json'] = strToU8(`${JSON.stringify(manifest, null, 2)}\n`);
  zip['README.txt'] = strToU8(readme(manifest, listed));
  // A fixed time in every entry (the zip's own), so the same logs make the same archive.
  const bytes = zipSync(zip, { level: 6, mtime: meta.createdAt });
  return { bytes, redactions: total, fileName, manifest };
}

function readme(m: { appVersion: string; host: string; createdAt: string; notes: string[]; policy?: string }, files: ManifestFile[]): string {
  const lines = [
    `Whisperline logs, collected ${m.createdAt} (app ${m.appVersion}, ${m.host}).`,
    '',
    secretsRemovedSentence,
    '',
    'Files:',
    ...files.map((f) => `  ${f.name}  ${formatBytes(f.bytes)}, ${f.redactions} secret${f.redactions === 1 ? '' : 's'} removed${f.note ? ` (${f.note})` : ''}`),
  ];
  if (m.policy) lines.push('', `Org policy: ${m.policy}`);
  if (m.notes.length) lines.push('', 'Notes:', ...m.notes.map((n) => `  - ${n}`));
  lines.push('', 'manifest.json has the same in machine-readable form.', '');
  return lines.join('\n');
}

/**
 * For the web build's bridge: the page's own log (and, if given, its settings already passed
 * through redactJson) as a download. Never throws.
 */
export function pageLogBundle(pageLog: unknown, meta: Omit<BundleMeta, 'host'> & { settingsJson?: { text: string; redactions: number } }): LogBundleResult {
  try {
    const page = normalizePageLog(pageLog);
    const files: BundleFile[] = [{ name: 'page.log', text: page.text, redactions: page.claimedRedactions }];
    if (meta.settingsJson) files.push({ name: 'settings.json', text: meta.settingsJson.text, redactions: meta.settingsJson.redactions });
    const b = buildLogBundle(files, { ...meta, host: 'web', notes: [...page.notes, ...(meta.notes ?? [])] });
    return { ok: true, fileName: b.fileName, savedTo: null, bytes: b.bytes, redactions: b.redactions };
  } catch (e) {
    return { ok: false, reason: `The logs could not be packed: ${(e as Error)?.message ?? String(e)}.` };
  }
}
