import * as nodeFs from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { basename, join } from 'node:path';
import type { LogBundleResult } from '../../shared/bridge';
import { foldHistory } from '../../shared/callHistory';
import { buildLogBundle, formatBytes, normalizePageLog, type BundleFile } from '../../shared/diagnostics/bundle';
import { redactJson, redactText } from '../../shared/diagnostics/redact';
import type { RecordingSummary } from '../../shared/recording/types';
import { describeFsError } from '../audit/log';
import { fsyncFolder } from '../fsyncFolder';
import { RecordingStore } from '../recording/recordingStore';
import { mainLogName } from './mainLog';

/**
 * "Collect logs" on the desktop: gathers this desk's logs from the profile folder, redacts them,
 * zips them (shared/diagnostics/bundle.ts) and saves the zip in the user's downloads folder.
 *
 * What goes in, and what deliberately does not:
 * - the page's log (from the renderer, checked here: it crossed IPC) and main.log (+ main.log.1);
 * - the newest part of the audit log and the forwarding cursor files (status of the log shipping);
 * - settings.json through redactJson (the stored SIP password and supervisor key are encrypted
 *   blobs, still never shipped);
 * - the call history as outcomes and times only: no numbers, names, dispositions or notes, which
 *   are customers' data; support needs to see which calls failed and why, not who called;
 * - recordings as summaries (ids, times, lengths, tracks), no audio, timelines or comments.
 *
 * The zip is written to a temporary name, fsynced, then renamed, so a full disk or a folder the
 * user may not write leaves no partial file. Never throws: a failure is one plain sentence.
 */

export type CollectFs = Pick<typeof nodeFs, 'open' | 'readFile' | 'readdir' | 'stat' | 'mkdir' | 'rename' | 'rm'>;

export interface CollectLogsOptions {
  userDataDir: string;
  downloadsDir: string;
  appVersion: string;
  /** The page's recent log lines, as the renderer sent them: anything, until checked. */
  pageLog: unknown;
  policySummary?: string;
  now: Date;
  platform?: string;
  versions?: Record<string, string>;
  /** Default: read `<userData>/recordings` (read-only). */
  listRecordings?: () => Promise<RecordingSummary[]>;
  fs?: CollectFs;
}

/** How much of each source is read: the newest part (enough for support, bounded for the zip). */
export const collectLimits = {
  mainLogBytes: 2560 * 1024,
  auditBytes: 1024 * 1024,
  historyBytes: 1024 * 1024,
  historyCalls: 500,
  settingsBytes: 512 * 1024,
  cursorBytes: 64 * 1024,
  recordings: 200,
} as const;

const leftOut =
  'Not included on purpose: call audio, recording timelines and comments, wrap-up dispositions and notes, customers’ numbers and names, the record of used supervision statements, and any unfinished audit line set aside (audit.log.torn).';

export async function collectLogs(opts: CollectLogsOptions): Promise<LogBundleResult> {
  const fs = opts.fs ?? nodeFs;
  let bundle: ReturnType<typeof buildLogBundle>;
  try {
    const notes: string[] = [];
    const files = await gather(fs, opts, notes);
    notes.push(leftOut);
    bundle = buildLogBundle(files, {
      appVersion: opts.appVersion,
      host: 'electron',
      createdAt: opts.now,
      platform: opts.platform,
      versions: opts.versions,
      policySummary: opts.policySummary,
      notes,
    });
  } catch (e) {
    return { ok: false, reason: `The logs could not be collected: ${(e as Error)?.message ?? String(e)}.` };
  }
  try {
    const savedTo = await saveAtomically(fs, opts.downloadsDir, bundle.fileName, bundle.bytes);
    return { ok: true, fileName: basename(savedTo), savedTo, bytes: null, redactions: bundle.redactions };
  } catch (e) {
    return { ok: false, reason: `The logs could not be saved in ${opts.downloadsDir}: ${describeSaveError(e)}.` };
  }
}

async function gather(fs: CollectFs, opts: CollectLogsOptions, notes: string[]): Promise<BundleFile[]> {
  const files: BundleFile[] = [];
  const page = normalizePageLog(opts.pageLog);
  notes.push(...page.notes);
  files.push({ name: 'page.log', text: page.text, redactions: page.claimedRedactions });

  const logs = join(opts.userDataDir, 'logs');
  for (const name of [`${mainLogName}.1`, mainLogName]) {
    const tail = await readTail(fs, join(logs, name), collectLimits.mainLogBytes, notes);
    if (tail) files.push(tailFile(name, tail));
  }

  const auditDir = join(opts.userDataDir, 'audit');
  const audit = await readTail(fs, join(auditDir, 'audit.log'), collectLimits.auditBytes, notes);
  if (audit) files.push(tailFile('audit.log', audit));
  const cursors = await forwardingState(fs, auditDir, notes);
  if (cursors) files.push(cursors);

  const settings = await readTail(fs, join(opts.userDataDir, 'settings.json'), collectLimits.settingsBytes, notes);
  if (settings) files.push(settingsFile(settings.text, settings.cut));

  const history = await readTail(fs, join(opts.userDataDir, 'call-history.jsonl'), collectLimits.historyBytes, notes);
  if (history) files.push(historySummary(history));

  files.push(await recordingsSummary(opts, notes));
  return files;
}

interface Tail {
  text: string;
  size: number;
  cut: boolean;
}

const tailFile = (name: string, t: Tail): BundleFile => ({
  name,
  text: t.text,
  ...(t.cut ? { truncated: true, note: `the last ${formatBytes(Buffer.byteLength(t.text))} of ${formatBytes(t.size)}` } : {}),
});

/** The last `max` bytes of a file from its first whole line; null (with a note) when it cannot be read. */
async function readTail(fs: CollectFs, path: string, max: number, notes: string[]): Promise<Tail | null> {
  let fh: nodeFs.FileHandle | null = null;
  try {
    fh = await fs.open(path, 'r');
    const size = (await fh.stat()).size;
    const start = Math.max(0, size - max);
    const buf = Buffer.alloc(size - start);
    let got = 0;
    while (got < buf.length) {
      const { bytesRead } = await fh.read(buf, got, buf.length - got, start + got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    let from = 0;
    if (start > 0) {
      // Begin at a line start; a line longer than the whole window is cut at a character start.
      const nl = buf.subarray(0, got).indexOf(0x0a);
      if (nl >= 0) from = nl + 1;
      else while (from < got && (buf[from] & 0xc0) === 0x80) from++;
    }
    return { text: buf.subarray(from, got).toString('utf8'), size, cut: start > 0 };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') notes.push(`${path} could not be read: ${describeFsError(e)}.`);
    return null;
  } finally {
    await fh?.close().catch(() => undefined);
  }
}

/** The forwarding cursor files (where each destination got to, and why it paused), redacted. */
async function forwardingState(fs: CollectFs, auditDir: string, notes: string[]): Promise<BundleFile | null> {
  let names: string[];
  try {
    names = (await fs.readdir(auditDir)).filter((n) => /^forward-[A-Za-z0-9_-]+\.cursor\.json$/.test(n)).sort().slice(0, 20);
  } catch {
    return null;
  }
  if (!names.length) return null;
  const out: Record<string, unknown> = {};
  let redactions = 0;
  for (const name of names) {
    const t = await readTail(fs, join(auditDir, name), collectLimits.cursorBytes, notes);
    if (!t) continue;
    if (t.cut) {
      out[name] = 'larger than expected; left out';
      continue;
    }
    try {
      const r = redactJson(JSON.parse(t.text));
      out[name] = r.value;
      redactions += r.count;
    } catch {
      out[name] = `not valid JSON: ${t.text.slice(0, 400)}`;
    }
  }
  return { name: 'audit-forwarding.json', text: `${JSON.stringify(out, null, 2)}\n`, redactions };
}

function settingsFile(text: string, cut: boolean): BundleFile {
  try {
    if (cut) throw new Error('too large');
    const r = redactJson(JSON.parse(text));
    return { name: 'settings.json', text: `${JSON.stringify(r.value, null, 2)}\n`, redactions: r.count };
  } catch {
    // A damaged settings file is worth seeing; redactText still takes the secrets out.
    return { name: 'settings.json.txt', text, note: cut ? 'settings.json is unusually large: its last part, as text' : 'settings.json is not valid JSON: included as text', truncated: cut };
  }
}

/**
 * Phone numbers inside free text (reasons): 6+ digits, with single separators and bracketed
 * groups ("+49 (0)171 555-1234"); a bracket after a space is not taken ("… 1234 (408)").
 */
const maskNumbers = (s: string) => s.replace(/\+?(?:\(\d+\)|\d)(?:(?:[./-]|\s(?!\())?(?:\(\d+\)|\d))*/g, (m) => (m.replace(/\D/g, '').length >= 6 ? '[number]' : m));

function historySummary(t: Tail): BundleFile {
  const lines = t.text.split('\n');
  const read = foldHistory(lines);
  const calls = read.items.slice(0, collectLimits.historyCalls).map((c) => ({
    id: c.id,
    direction: c.direction,
    startedAt: c.startedAt,
    answeredAt: c.answeredAt,
    endedAt: c.endedAt,
    outcome: c.outcome,
    ...(c.reason ? { reason: maskNumbers(redactText(c.reason).text) } : {}),
    holdSeconds: c.holdSeconds,
    transfers: c.transfers,
    wrapUp: c.wrapUp ? { resolved: c.wrapUp.resolved, hasNote: c.wrapUp.note.trim() !== '' } : null,
    ...(c.coaching ? { coaching: { role: c.coaching.role, prompts: c.coaching.prompts, acknowledged: c.coaching.acknowledged, talkSeconds: c.coaching.talkSeconds } } : {}),
  }));
  const summary = {
    about: 'Calls as outcomes and times only (newest first): numbers, names, dispositions and notes are left out.',
    calls: calls.length,
    ofCallsInPartRead: read.items.length,
    unreadableLines: read.skippedLines,
    ...(t.cut ? { partRead: `the last ${formatBytes(Buffer.byteLength(t.text))} of ${formatBytes(t.size)}` } : {}),
    items: calls,
  };
  return { name: 'call-history-summary.json', text: `${JSON.stringify(summary, null, 2)}\n`, truncated: t.cut || read.items.length > calls.length };
}

async function recordingsSummary(opts: CollectLogsOptions, notes: string[]): Promise<BundleFile> {
  let list: RecordingSummary[] = [];
  try {
    list = await (opts.listRecordings ?? (() => new RecordingStore(join(opts.userDataDir, 'recordings')).list()))();
  } catch (e) {
    notes.push(`The recordings could not be listed: ${(e as Error)?.message ?? String(e)}.`);
  }
  const items = list.slice(0, collectLimits.recordings).map((r) => ({
    id: r.meta.id,
    callId: r.meta.callId,
    agent: r.meta.agent,
    direction: r.meta.direction,
    startedAt: r.meta.startedAt,
    endedAt: r.endedAt,
    durationMs: r.durationMs,
    tracks: r.tracks.map((tr) => ({ name: tr.name, durationMs: tr.durationMs, bytes: tr.bytes })),
    legalHold: r.legalHold,
    coachingStorage: r.meta.coachingStorage,
    retentionDays: r.meta.retentionDays,
    agentNotified: r.meta.agentNotified,
  }));
  const text = JSON.stringify({ about: 'Recordings on this desk (newest first), without audio or the customer’s number.', total: list.length, items }, null, 2);
  return { name: 'recordings-summary.json', text: `${text}\n`, truncated: list.length > items.length };
}

/** Writes `bytes` as a new file in `dir` (temp name, fsync, rename); returns its path. */
async function saveAtomically(fs: CollectFs, dir: string, fileName: string, bytes: Uint8Array): Promise<string> {
  await fs.mkdir(dir, { recursive: true });
  let target = '';
  for (let i = 1; i <= 100 && !target; i++) {
    const candidate = join(dir, i === 1 ? fileName : fileName.replace(/\.zip$/, `-${i}.zip`));
    const exists = await fs.stat(candidate).then(
      () => true,
      (e: NodeJS.ErrnoException) => {
        if (e.code === 'ENOENT') return false;
        throw e;
      },
    );
    if (!exists) target = candidate;
  }
  if (!target) throw new Error(`there are already 100 bundles named ${fileName.replace(/\.zip$/, '')}…`);
  // A dot name: file managers hide it, and nobody opens a half-written zip.
  const temp = join(dir, `.${fileName}.${randomBytes(6).toString('hex')}.part`);
  try {
    const fh = await fs.open(temp, 'wx', 0o644);
    try {
      await fh.writeFile(bytes);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await fs.rename(temp, target);
  } catch (e) {
    await fs.rm(temp, { force: true }).catch(() => undefined);
    throw e;
  }
  // The rename is atomic; this makes it survive a power cut. Not worth failing the save over.
  await fsyncFolder(dir, fs).catch(() => undefined);
  return target;
}

function describeSaveError(e: unknown): string {
  const code = (e as NodeJS.ErrnoException)?.code;
  if (code === 'ENOTDIR' || code === 'EEXIST') return 'that path is not a folder';
  return describeFsError(e);
}
