import { readFile } from 'node:fs/promises';
import { csvHeader, csvRow, inRange, parseDateRange } from './csv';
import { verifyLogFile } from './log';
import type { ChainHead, VerifyResult } from './chain';

/**
 * `audit` commands for the admin CLI. Text given to `io.out` / `io.err` carries its own line ends
 * (write it as is: `process.stdout.write`). Exit codes: 0 ok, 1 the log does not verify, 2 usage
 * or file errors.
 *
 *   verify <file> [--head <seq>:<hash>]
 *       Checks the whole hash chain; prints "ok: N entries" or the first bad line and why.
 *       --head: an entry known from elsewhere (forwarded copy, forwarder cursor) that must be there,
 *       which also catches entries cut off the end.
 *   export-csv <file> --from <date> --to <date>
 *       CSV (RFC 4180) of the entries in the range; dates are YYYY-MM-DD (whole UTC days, both
 *       inclusive) or ISO times (from inclusive, to exclusive). Refuses a log that does not verify.
 */

export interface AuditCliIo {
  out(s: string): void;
  err(s: string): void;
}

const usage = [
  'usage:',
  '  audit verify <file> [--head <seq>:<hash>]',
  '  audit export-csv <file> --from <YYYY-MM-DD|ISO time> --to <YYYY-MM-DD|ISO time>',
  '',
].join('\n');

export async function runAuditCommand(argv: string[], io: AuditCliIo): Promise<number> {
  const [command, ...rest] = argv;
  let args: ParsedArgs;
  try {
    args = parseArgs(rest);
  } catch (e) {
    io.err(`${(e as Error).message}\n${usage}`);
    return 2;
  }
  switch (command) {
    case 'verify':
      return verify(args, io);
    case 'export-csv':
      return exportCsv(args, io);
    case 'help':
    case '--help':
    case '-h':
      io.out(usage);
      return 0;
    default:
      io.err(`${command ? `unknown command "${command}"` : 'no command'}\n${usage}`);
      return 2;
  }
}

interface ParsedArgs {
  positional: string[];
  options: Map<string, string>;
}

function parseArgs(argv: string[]): ParsedArgs {
  const positional: string[] = [];
  const options = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq > 0 ? a.slice(2, eq) : a.slice(2);
      const value = eq > 0 ? a.slice(eq + 1) : argv[++i];
      if (value === undefined) throw new Error(`--${name} needs a value`);
      options.set(name, value);
    } else positional.push(a);
  }
  return { positional, options };
}

function onlyOptions(args: ParsedArgs, allowed: string[]): void {
  for (const k of args.options.keys()) if (!allowed.includes(k)) throw new Error(`unknown option --${k}`);
  if (args.positional.length !== 1) throw new Error('give exactly one log file');
}

async function load(file: string, io: AuditCliIo, head?: ChainHead): Promise<VerifyResult | null> {
  try {
    return await verifyLogFile(file, head ? { expectHead: head } : {});
  } catch (e) {
    io.err(`${(e as Error).message}\n`);
    return null;
  }
}

async function verify(args: ParsedArgs, io: AuditCliIo): Promise<number> {
  let head: ChainHead | undefined;
  try {
    onlyOptions(args, ['head']);
    const h = args.options.get('head');
    if (h !== undefined) {
      const m = /^(\d+):([0-9a-f]{64})$/.exec(h);
      if (!m) throw new Error('--head must be <seq>:<64 hex digits>');
      head = { seq: Number(m[1]), hash: m[2] };
    }
  } catch (e) {
    io.err(`${(e as Error).message}\n${usage}`);
    return 2;
  }
  const file = args.positional[0];
  const result = await load(file, io, head);
  if (!result) return 2;
  const torn = await tornNote(file);
  if (result.ok) {
    const last = result.head ? ` (last seq ${result.head.seq}, hash ${result.head.hash})` : '';
    const pruned = result.prunedThrough ? `; entries 1–${result.prunedThrough} were removed under the retention policy` : '';
    io.out(`ok: ${result.entries.length} ${result.entries.length === 1 ? 'entry' : 'entries'}, chain intact${last}${pruned}\n${torn}`);
    return 0;
  }
  const bad = result.firstBad!;
  io.out(
    `FAILED: line ${bad.line}: ${bad.problem}: ${bad.detail}\n` +
      `${result.entries.length} ${result.entries.length === 1 ? 'entry' : 'entries'} before it verified.\n` +
      (bad.problem === 'truncated'
        ? 'A torn last line is left by a crash mid-write (it was never acknowledged); the app sets it aside the next time it opens the log.\n'
        : '') +
      torn,
  );
  return 1;
}

async function exportCsv(args: ParsedArgs, io: AuditCliIo): Promise<number> {
  let range;
  try {
    onlyOptions(args, ['from', 'to']);
    const from = args.options.get('from');
    const to = args.options.get('to');
    if (from === undefined || to === undefined) throw new Error('export-csv needs --from and --to');
    range = parseDateRange(from, to);
  } catch (e) {
    io.err(`${(e as Error).message}\n${usage}`);
    return 2;
  }
  const result = await load(args.positional[0], io);
  if (!result) return 2;
  if (!result.ok) {
    const bad = result.firstBad!;
    if (bad.problem !== 'truncated') {
      io.err(`the log does not verify (line ${bad.line}: ${bad.problem}: ${bad.detail}); nothing exported. Run \`audit verify\`.\n`);
      return 1;
    }
    io.err(`note: line ${bad.line} is torn by an interrupted write (never acknowledged) and is left out.\n`);
  }
  io.out(csvHeader());
  for (const e of result.entries) if (inRange(e, range)) io.out(csvRow(e));
  return 0;
}

async function tornNote(file: string): Promise<string> {
  try {
    const text = await readFile(`${file}.torn`, 'utf8');
    const pieces = text.split('\n').filter((l) => l !== '').length;
    return `note: ${pieces} torn ${pieces === 1 ? 'write was' : 'writes were'} set aside in ${file}.torn (interrupted by crashes; never acknowledged).\n`;
  } catch {
    return '';
  }
}
