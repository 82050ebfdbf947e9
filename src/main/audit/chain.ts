import { createHash } from 'node:crypto';
import { auditEntrySchema, type AuditEntry, type AuditEventBody, type UnsealedEntry } from './entry';

/**
 * The hash chain, pure (no files). Each entry's `hash` is the SHA-256 (hex) of the canonical JSON
 * of the entry without its `hash` field; `prevHash` is the previous entry's `hash`, or 64 zeros for
 * the first entry. Each line of the log is the canonical JSON of the whole entry, so any changed
 * byte shows: as a line that is not JSON, not an entry, not in canonical form, whose hash does not
 * match, or whose link to the previous line is broken.
 *
 * A log whose oldest entries were removed under the retention policy starts past seq 1: it
 * verifies only when a `retention` entry in it names the last removed entry (seq and hash), so
 * entries cut off the front without one still show.
 *
 * What a plain hash chain cannot show on its own: entries cut off the END of the log (the shorter
 * log is still a valid chain), or a log rewritten from scratch with fresh hashes. Both show against
 * an anchor kept elsewhere (`expectHead`: e.g. the forwarder's cursor, or what the log pipeline
 * received).
 */

export const GENESIS_HASH = '0'.repeat(64);

export interface ChainHead {
  seq: number;
  hash: string;
}

/** JSON with object keys sorted (recursively) and no whitespace. `undefined` members are left out. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    const s = JSON.stringify(value);
    if (s === undefined) throw new Error(`canonicalJson: cannot encode ${typeof value}`);
    return s;
  }
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const members = Object.keys(obj)
    .sort()
    .filter((k) => obj[k] !== undefined)
    .map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`);
  return `{${members.join(',')}}`;
}

/** SHA-256 hex over the canonical JSON of the entry without `hash`. */
export function hashEntry(entry: UnsealedEntry | AuditEntry): string {
  const { hash: _ignored, ...body } = entry as AuditEntry;
  return createHash('sha256').update(canonicalJson(body), 'utf8').digest('hex');
}

/** The next entry of the chain after `prev` (null: the first entry). */
export function sealEntry(prev: ChainHead | null, body: AuditEventBody): AuditEntry {
  const unsealed: UnsealedEntry = { seq: prev ? prev.seq + 1 : 1, ...body, prevHash: prev ? prev.hash : GENESIS_HASH };
  return { ...unsealed, hash: hashEntry(unsealed) };
}

/** The exact bytes of one log line, newline included. */
export function entryLine(entry: AuditEntry): string {
  return `${canonicalJson(entry)}\n`;
}

export type ChainProblem =
  | 'not-json'
  | 'invalid-entry'
  | 'edited'
  | 'removed-or-reordered'
  | 'blank-line'
  | 'truncated'
  | 'tail-removed';

export interface BadLine {
  /** 1-based line number in the file. */
  line: number;
  problem: ChainProblem;
  /** In words, for the CLI and the settings page. */
  detail: string;
}

export interface VerifyResult {
  ok: boolean;
  /** Every entry that verified, in order (all of them when ok). */
  entries: AuditEntry[];
  /** The last verified entry, null for an empty log. */
  head: ChainHead | null;
  firstBad?: BadLine;
  /** The last entry removed under the retention policy (the log starts after it). */
  prunedThrough?: number;
}

export interface VerifyOptions {
  /** Where the chain starts (a log that continues an earlier, archived one). Default seq 1 after 64 zeros. */
  start?: { seq: number; prevHash: string };
  /** An anchor kept elsewhere: the log must contain this entry, with this hash. Shows entries cut off the end. */
  expectHead?: ChainHead;
}

/** One line checked on its own: parses, is an entry, is in canonical form, and its hash matches. */
export function checkLine(text: string): { ok: true; entry: AuditEntry } | { ok: false; problem: ChainProblem; detail: string } {
  if (text === '') return { ok: false, problem: 'blank-line', detail: 'empty line' };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return { ok: false, problem: 'not-json', detail: `not valid JSON (${(e as Error).message})` };
  }
  const parsed = auditEntrySchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, problem: 'invalid-entry', detail: `not an audit entry: ${issue.path.join('.') || 'value'}: ${issue.message}` };
  }
  const entry = parsed.data;
  if (canonicalJson(entry) !== text) {
    return { ok: false, problem: 'edited', detail: `entry seq ${entry.seq} was edited: its bytes differ from the form it was written in` };
  }
  if (hashEntry(entry) !== entry.hash) {
    return { ok: false, problem: 'edited', detail: `entry seq ${entry.seq} was edited: its contents do not match its hash` };
  }
  return { ok: true, entry };
}

/**
 * Checks a whole log. `lines` is the file's text split on "\n" (`text.split('\n')`): a file that
 * ends with a newline gives a last element of "", and a last element that is not empty is a line
 * whose write never finished (crash mid-write, or the end of the file cut off): 'truncated'.
 * Stops at the first bad line.
 */
export function verifyChain(lines: readonly string[], opts: VerifyOptions = {}): VerifyResult {
  const entries: AuditEntry[] = [];
  let expectedSeq = opts.start?.seq ?? 1;
  let expectedPrev = opts.start?.prevHash ?? GENESIS_HASH;
  const n = lines.length > 0 && lines[lines.length - 1] === '' ? lines.length - 1 : lines.length;
  let pruned: ChainHead | null = null;
  const fail = (line: number, problem: ChainProblem, detail: string): VerifyResult => ({
    ok: false,
    entries,
    head: headOf(entries),
    firstBad: { line, problem, detail },
  });

  for (let i = 0; i < n; i++) {
    const text = lines[i];
    if (i === lines.length - 1) {
      return fail(i + 1, 'truncated', 'the last line has no line end: a write that never finished (crash, full disk) or a cut-off file');
    }
    const checked = checkLine(text);
    if (!checked.ok) return fail(i + 1, checked.problem, checked.detail);
    const e = checked.entry;
    if (i === 0 && !opts.start && e.seq > 1) {
      // The front was removed: fine once a retention entry below says so (checked at the end).
      pruned = { seq: e.seq - 1, hash: e.prevHash };
      expectedSeq = e.seq;
      expectedPrev = e.prevHash;
    }
    if (e.seq !== expectedSeq || e.prevHash !== expectedPrev) {
      const why =
        e.seq > expectedSeq
          ? `expected seq ${expectedSeq}, found ${e.seq}: entries are missing or were moved`
          : e.seq < expectedSeq
            ? `expected seq ${expectedSeq}, found ${e.seq}: entries were moved or repeated`
            : `seq ${e.seq} does not link to the entry before it`;
      return fail(i + 1, 'removed-or-reordered', why);
    }
    entries.push(e);
    expectedSeq = e.seq + 1;
    expectedPrev = e.hash;
  }

  if (pruned) {
    const p = pruned;
    if (!entries.some((e) => e.action === 'retention' && e.prunedThrough === p.seq && e.prunedHash === p.hash)) {
      return { ok: false, entries: [], head: null, firstBad: { line: 1, problem: 'removed-or-reordered', detail: `the log starts at seq ${p.seq + 1}, but no retention entry says entries 1–${p.seq} were removed: entries were cut off the front` } };
    }
  }
  const prunedThrough = pruned ? { prunedThrough: pruned.seq } : {};

  if (opts.expectHead) {
    const want = opts.expectHead;
    const found = entries.find((e) => e.seq === want.seq);
    if (!found) {
      const last = entries.length ? entries[entries.length - 1].seq : 0;
      return fail(n + 1, 'tail-removed', `the log ends at seq ${last} but seq ${want.seq} was recorded elsewhere: entries were cut off the end`);
    }
    if (found.hash !== want.hash) {
      const index = entries.indexOf(found);
      const good = entries.slice(0, index);
      const detail = `seq ${want.seq} differs from the copy recorded elsewhere: the log was rewritten`;
      return { ok: false, entries: good, head: headOf(good), firstBad: { line: index + 1, problem: 'edited', detail }, ...prunedThrough };
    }
  }
  return { ok: true, entries, head: headOf(entries), ...prunedThrough };
}

function headOf(entries: AuditEntry[]): ChainHead | null {
  const last = entries[entries.length - 1];
  return last ? { seq: last.seq, hash: last.hash } : null;
}
