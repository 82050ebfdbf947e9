/**
 * Loads the org policy IT installed on this machine (managedLocation.ts), checks that no normal user
 * could have written it, and verifies it against the pinned admin public key with the same shared
 * verifier the admin CLI and the web build use (src/shared/policy/signedPolicy.ts).
 *
 * Fail closed: every problem, expected or not, gives `{ state: 'none', reason }` with one sentence
 * for the user, and "none" means no supervision at all, never everything. Nothing here throws.
 *
 * Checks on Linux/macOS, for the policy file, the admin key file and the folder holding them:
 * - owned by root (uid 0); a file a user owns is a file that user can rewrite;
 * - not writable by group or others (mode bits);
 * - not writable by the current user (`access(W_OK)`, which also sees POSIX ACLs), when the app
 *   runs as a normal user;
 * - every folder above them owned by root and, when writable by others, sticky (like /tmp), so
 *   nobody can swap the folder itself out.
 * Symbolic links are followed and the real paths checked (config tools such as NixOS link /etc
 * files into a root-owned store).
 * On Windows `fs.stat` reports no owner and no ACL, so these checks are skipped: the ProgramData
 * folder's ACL is IT's to keep (see managedLocation.ts); the signature and pinned key still apply.
 */
import { constants as fsConstants, watch as fsWatch } from 'node:fs';
import { access, readFile, realpath, stat } from 'node:fs/promises';
import { posix } from 'node:path';
import { maxPolicyChars, type OrgPolicy } from '../../shared/policy/schema';
import { summarizePolicy } from '../../shared/policy/summary';
import { verifySignedPolicy, type PolicyRefusalCode } from '../../shared/policy/signedPolicy';
import { canonicalJson } from '../../shared/policy/canonical';
import { managedPolicyLocation, type ManagedLocation } from './managedLocation';

/** What the loader needs of `fs.stat`. */
export interface StatLike {
  uid: number;
  mode: number;
  size: number;
  isFile(): boolean;
  isDirectory(): boolean;
}

/** The slice of `node:fs/promises` the loader uses; replaced in tests. */
export interface PolicyFs {
  realpath(path: string): Promise<string>;
  stat(path: string): Promise<StatLike>;
  readFile(path: string): Promise<Uint8Array>;
  /** Resolves when the current user may access the path in `mode` (fs.constants.W_OK). */
  access(path: string, mode: number): Promise<void>;
}

export const nodePolicyFs: PolicyFs = {
  realpath: (p) => realpath(p),
  stat: (p) => stat(p),
  readFile: (p) => readFile(p),
  access: (p, m) => access(p, m),
};

/** UTF-8 of `maxPolicyChars` UTF-16 units is at most three bytes each; the verifier counts characters. */
export const maxPolicyFileBytes = maxPolicyChars * 3;
export const maxAdminKeyFileBytes = 4096;

export type ManagedPolicyNoneCode = 'not-installed' | 'no-admin-key' | 'insecure' | 'unreadable' | 'too-large' | 'not-text' | 'internal-error' | PolicyRefusalCode;

export type ManagedPolicyResult =
  | { state: 'active'; policy: OrgPolicy; summary: string; keyId: string; location: ManagedLocation }
  | { state: 'none'; code: ManagedPolicyNoneCode; reason: string; location: ManagedLocation | null };

export interface LoadManagedPolicyOptions {
  platform: string;
  env: Record<string, string | undefined>;
  now: Date;
  fs?: PolicyFs;
  /** The current user's uid (process.getuid()); undefined on Windows. 0 (root) skips the "writable by me" check. */
  uid?: number;
  /** Only for tests: read from another folder. Production code passes platform and env only. */
  location?: ManagedLocation;
}

const offUntil = (what: string) => `Supervision is off until IT ${what}.`;

export async function loadManagedPolicy(options: LoadManagedPolicyOptions): Promise<ManagedPolicyResult> {
  let location: ManagedLocation | null = null;
  try {
    location = options.location ?? managedPolicyLocation(options.platform, options.env);
    return await load(location, options);
  } catch (e) {
    // Unreachable with node's fs; an injected reader or a future change must still fail closed.
    return { state: 'none', code: 'internal-error', location, reason: `The org policy could not be loaded (${errorText(e)}). Supervision is off.` };
  }
}

async function load(loc: ManagedLocation, options: LoadManagedPolicyOptions): Promise<ManagedPolicyResult> {
  const fs = options.fs ?? nodePolicyFs;
  const none = (code: ManagedPolicyNoneCode, reason: string): ManagedPolicyResult => ({ state: 'none', code, reason, location: loc });
  const validPolicy = `installs a valid signed policy at ${loc.policyPath}`;

  // 1. Both files present? (Real paths: what is checked is what is read.)
  const policyReal = await resolve(fs, loc.policyPath);
  if (policyReal.kind === 'missing') return none('not-installed', `No org policy is installed, so supervision is off until IT installs a signed policy at ${loc.policyPath}.`);
  if (policyReal.kind === 'error') return none('unreadable', `The org policy at ${loc.policyPath} cannot be read (${policyReal.error}). ${offUntil('fixes its permissions')}`);
  const keyReal = await resolve(fs, loc.adminKeyPath);
  if (keyReal.kind === 'missing') return none('no-admin-key', `The org policy at ${loc.policyPath} cannot be checked: the admin public key is missing at ${loc.adminKeyPath}. ${offUntil('installs it')}`);
  if (keyReal.kind === 'error') return none('unreadable', `The admin public key at ${loc.adminKeyPath} cannot be read (${keyReal.error}). ${offUntil('fixes its permissions')}`);

  // 2. Could a normal user have written either of them?
  if (loc.checksOwnership) {
    const uid = options.uid ?? process.getuid?.();
    const problem = await writableByUsers(fs, [policyReal.path, keyReal.path], uid);
    if (problem) {
      return none('insecure', `The org policy is refused because ${problem.problem}, so a user could widen their own rights. ${offUntil(`makes ${problem.path} owned by root and writable by root only`)}`);
    }
  }

  // 3. Read both, bounded.
  const policyText = await readText(fs, policyReal.path, maxPolicyFileBytes);
  if (!policyText.ok) return none(policyText.code, `The org policy at ${loc.policyPath} ${policyText.problem}. ${offUntil(validPolicy)}`);
  const keyText = await readText(fs, keyReal.path, maxAdminKeyFileBytes);
  if (!keyText.ok) return none(keyText.code, `The admin public key at ${loc.adminKeyPath} ${keyText.problem}. ${offUntil(`installs the admin public key (base64) at ${loc.adminKeyPath}`)}`);

  // 4. Signature, pinned key, schema, validity dates: the shared verifier.
  const v = await verifySignedPolicy(policyText.text, keyText.text.trim(), options.now);
  if (!v.ok) {
    switch (v.code) {
      case 'bad-admin-key':
        return none(v.code, `The admin public key at ${loc.adminKeyPath} is refused: ${v.reason} ${offUntil('installs the admin public key made by the admin CLI')}`);
      case 'other-key':
        return none(v.code, `The org policy at ${loc.policyPath} is refused: ${v.reason} ${offUntil('installs a policy signed with the pinned admin key, or pins the matching admin key')}`);
      case 'bad-signature':
        return none(v.code, `The org policy at ${loc.policyPath} is refused: ${v.reason} ${offUntil(`installs a correctly signed policy at ${loc.policyPath}`)}`);
      case 'expired':
        return none(v.code, `The org policy at ${loc.policyPath} is refused: ${v.reason} ${offUntil('installs a renewed policy')}`);
      case 'not-yet-valid':
        return none(v.code, `The org policy at ${loc.policyPath} is refused: ${v.reason} Supervision is off until then (if that time has passed, check this computer's clock).`);
      default:
        return none(v.code, `The org policy at ${loc.policyPath} is refused: ${v.reason} ${offUntil(validPolicy)}`);
    }
  }
  return { state: 'active', policy: v.policy, keyId: v.keyId, summary: summarizePolicy(v.policy, v.keyId), location: loc };
}

/** One line for settings and the log: whose policy, which key, until when, how much is in it. */
// ---- helpers -------------------------------------------------------------------------------------

type Resolved = { kind: 'missing' } | { kind: 'error'; error: string } | { kind: 'ok'; path: string };

async function resolve(fs: PolicyFs, path: string): Promise<Resolved> {
  try {
    return { kind: 'ok', path: await fs.realpath(path) };
  } catch (e) {
    const code = errnoOf(e);
    if (code === 'ENOENT' || code === 'ENOTDIR') return { kind: 'missing' };
    return { kind: 'error', error: errnoText(e) };
  }
}

const groupOrOtherWrite = 0o022;
const sticky = 0o1000;

function modeText(mode: number): string {
  return (mode & 0o7777).toString(8).padStart(4, '0');
}

function whoMayWrite(mode: number): string {
  const g = (mode & 0o020) !== 0;
  const o = (mode & 0o002) !== 0;
  return g && o ? 'its group and every other user' : g ? 'its group' : 'every other user';
}

/**
 * The first reason why a user other than root could change what is read, or null. `files` are real
 * paths; their folders and every folder above are checked too.
 */
async function writableByUsers(fs: PolicyFs, files: string[], uid: number | undefined): Promise<{ path: string; problem: string } | null> {
  const seen = new Set<string>();
  // The files and the folders holding them get the strict rule (no sticky exception), whatever order they come in.
  const strict = new Set(files.flatMap((f) => [f, posix.dirname(f)]));
  for (const file of files) {
    const holder = posix.dirname(file);
    // The file, the folder holding it, then every folder up to the root.
    const chain: string[] = [file];
    for (let dir = holder; ; dir = posix.dirname(dir)) {
      chain.push(dir);
      if (posix.dirname(dir) === dir) break;
    }
    for (const path of chain) {
      if (seen.has(path)) continue;
      seen.add(path);
      let st: StatLike;
      try {
        st = await fs.stat(path);
      } catch (e) {
        return { path, problem: `${path} cannot be checked (${errnoText(e)})` };
      }
      if (st.uid !== 0) return { path, problem: `${path} is owned by user id ${st.uid}, not by root` };
      const ancestor = !strict.has(path);
      if (st.mode & groupOrOtherWrite && !(ancestor && st.isDirectory() && st.mode & sticky)) {
        return { path, problem: `${path} can be written by ${whoMayWrite(st.mode)} (mode ${modeText(st.mode)})` };
      }
      // Running as a normal user: also catch write access granted by an ACL the mode bits do not show.
      if (uid !== undefined && uid !== 0 && !ancestor && (await mayWrite(fs, path))) return { path, problem: `${path} can be written by this user account (uid ${uid})` };
    }
  }
  return null;
}

async function mayWrite(fs: PolicyFs, path: string): Promise<boolean> {
  try {
    await fs.access(path, fsConstants.W_OK);
    return true;
  } catch {
    return false;
  }
}

type ReadText = { ok: true; text: string } | { ok: false; code: ManagedPolicyNoneCode; problem: string };

async function readText(fs: PolicyFs, path: string, maxBytes: number): Promise<ReadText> {
  let bytes: Uint8Array;
  try {
    const st = await fs.stat(path);
    if (st.isDirectory()) return { ok: false, code: 'unreadable', problem: 'is a folder, not a file' };
    if (!st.isFile()) return { ok: false, code: 'unreadable', problem: 'is not a regular file' };
    if (st.size > maxBytes) return { ok: false, code: 'too-large', problem: `is too large (${st.size} bytes; at most ${maxBytes})` };
    bytes = await fs.readFile(path);
  } catch (e) {
    return { ok: false, code: 'unreadable', problem: `cannot be read (${errnoText(e)})` };
  }
  // Checked again: the size can change between stat and read.
  if (bytes.length > maxBytes) return { ok: false, code: 'too-large', problem: `is too large (${bytes.length} bytes; at most ${maxBytes})` };
  try {
    // Strips a UTF-8 byte order mark (Notepad writes one); the signature is over canonical JSON anyway.
    return { ok: true, text: new TextDecoder('utf-8', { fatal: true }).decode(bytes) };
  } catch {
    return { ok: false, code: 'not-text', problem: 'is not UTF-8 text' };
  }
}

function errnoOf(e: unknown): string | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

const errnoMeaning: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'it is a folder',
  ELOOP: 'too many symbolic links',
  EMFILE: 'too many open files',
  EIO: 'input/output error',
};

function errnoText(e: unknown): string {
  const code = errnoOf(e);
  if (code) return errnoMeaning[code] ? `${code}: ${errnoMeaning[code]}` : code;
  return errorText(e);
}

function errorText(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  return message.slice(0, 200) || 'unknown error';
}

// ---- reloading -----------------------------------------------------------------------------------

/** Starts watching `dir`; calls `onEvent` on any change in it and `onError` when the watch ends. */
export type WatchDir = (dir: string, onEvent: () => void, onError: () => void) => { close(): void };

export interface TimersLike {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const nodeWatchDir: WatchDir = (dir, onEvent, onError) => {
  const watcher = fsWatch(dir, { persistent: false }, () => onEvent());
  watcher.on('error', () => {
    watcher.close();
    onError();
  });
  return watcher;
};

const nodeTimers: TimersLike = {
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref?.();
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

export interface ManagedPolicyWatcherOptions {
  /** One load, e.g. `() => loadManagedPolicy({ platform, env, now: new Date() })`. */
  load(): Promise<ManagedPolicyResult>;
  /** The managed folder (location.dir). */
  dir: string;
  /** Called with each result that differs from the previous one (the first included). */
  onChange(result: ManagedPolicyResult): void;
  watch?: WatchDir;
  timers?: TimersLike;
  now?: () => Date;
  /** Quiet time after the last change event before reloading (IT writes two files). Default 500 ms. */
  debounceMs?: number;
  /**
   * Reload at least this often (default 10 minutes): catches a folder created after start, missed
   * events (network file systems) and, sooner when due, the policy's expiry.
   */
  recheckMs?: number;
}

const maxTimerMs = 2 ** 31 - 1;

/** Keeps the managed policy current: folder watch (debounced), periodic recheck, reload at expiry. */
export class ManagedPolicyWatcher {
  private current: ManagedPolicyResult | null = null;
  private currentKey = '';
  private watcher: { close(): void } | null = null;
  private debounce: unknown = null;
  private recheck: unknown = null;
  private inFlight: Promise<ManagedPolicyResult> | null = null;
  private again = false;
  private closed = false;
  private readonly timers: TimersLike;

  constructor(private readonly o: ManagedPolicyWatcherOptions) {
    this.timers = o.timers ?? nodeTimers;
  }

  /** The latest result; null before the first load finished. */
  get result(): ManagedPolicyResult | null {
    return this.current;
  }

  /** First load, then watching. */
  start(): Promise<ManagedPolicyResult> {
    return this.reload();
  }

  /** Loads now (a settings button, or an event); concurrent calls share one load and queue one more. */
  reload(): Promise<ManagedPolicyResult> {
    if (this.inFlight) {
      this.again = true;
      return this.inFlight;
    }
    const run = async (): Promise<ManagedPolicyResult> => {
      let result: ManagedPolicyResult;
      do {
        this.again = false;
        result = await this.loadSafely();
      } while (this.again && !this.closed);
      this.inFlight = null;
      this.apply(result);
      return result;
    };
    this.inFlight = run();
    return this.inFlight;
  }

  close(): void {
    this.closed = true;
    this.watcher?.close();
    this.watcher = null;
    if (this.debounce !== null) this.timers.clearTimeout(this.debounce);
    if (this.recheck !== null) this.timers.clearTimeout(this.recheck);
    this.debounce = this.recheck = null;
  }

  private async loadSafely(): Promise<ManagedPolicyResult> {
    try {
      return await this.o.load();
    } catch (e) {
      return { state: 'none', code: 'internal-error', location: null, reason: `The org policy could not be loaded (${errorText(e)}). Supervision is off.` };
    }
  }

  private apply(result: ManagedPolicyResult): void {
    if (this.closed) return;
    const key = result.state === 'active' ? `active ${result.keyId} ${canonicalJson(result.policy)}` : `none ${result.code} ${result.reason}`;
    if (this.current === null || key !== this.currentKey) {
      this.current = result;
      this.currentKey = key;
      try {
        this.o.onChange(result);
      } catch {
        // A listener's failure must not stop the watching.
      }
    }
    this.ensureWatching();
    this.scheduleRecheck(result);
  }

  private ensureWatching(): void {
    if (this.watcher || this.closed) return;
    try {
      this.watcher = (this.o.watch ?? nodeWatchDir)(
        this.o.dir,
        () => this.changed(),
        () => {
          // Folder removed or unwatchable: reload now (it will say what is missing) and watch again later.
          this.watcher = null;
          this.changed();
        },
      );
    } catch {
      this.watcher = null; // The folder does not exist yet: the periodic recheck finds it.
    }
  }

  private changed(): void {
    if (this.closed) return;
    if (this.debounce !== null) this.timers.clearTimeout(this.debounce);
    this.debounce = this.timers.setTimeout(() => {
      this.debounce = null;
      void this.reload();
    }, this.o.debounceMs ?? 500);
  }

  private scheduleRecheck(result: ManagedPolicyResult): void {
    if (this.recheck !== null) this.timers.clearTimeout(this.recheck);
    let wait = this.o.recheckMs ?? 10 * 60_000;
    if (result.state === 'active') {
      const untilExpiry = Date.parse(result.policy.expiresAt) - (this.o.now ?? (() => new Date()))().getTime();
      wait = Math.min(wait, Math.max(untilExpiry + 1000, 1000));
    }
    this.recheck = this.timers.setTimeout(() => {
      this.recheck = null;
      void this.reload();
    }, Math.min(wait, maxTimerMs));
  }
}
