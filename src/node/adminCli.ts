/**
 * The org admin's tool: make the admin key pair, sign and verify the org policy, print who may do
 * what. Keys and signatures come from Node's crypto; verification goes through the same shared
 * module the apps use (src/shared/policy), so a policy this tool accepts is one the apps accept.
 * `scripts/admin.ts` is the command-line entry; add a subcommand by adding to `adminCommands`.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { join } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { supervisionModes } from '../shared/supervision/modes';
import { parsePolicy, type OrgPolicy, type OrgPolicyInput } from '../shared/policy/schema';
import { keyIdOf, policySigningBytes, teamsForMode, verifySignedPolicy, type SignedPolicyFile } from '../shared/policy/signedPolicy';
import { runAuditCommand } from '../main/audit/cli';

export interface AdminIO {
  out(line: string): void;
  err(line: string): void;
  /** The clock for expiry checks (tests pin it). */
  now?(): Date;
}

type Values = Record<string, string | boolean | undefined>;
export interface AdminCommand {
  usage: string;
  help: string;
  options: NonNullable<ParseArgsConfig['options']>;
  /** Exit code: 0 done, 1 refused or failed, 2 usage. */
  run(args: { values: Values; positionals: string[] }, io: AdminIO): Promise<number>;
}

class UsageError extends Error {}

const need = (values: Values, name: string): string => {
  const v = values[name];
  if (typeof v !== 'string' || !v) throw new UsageError(`--${name} is required`);
  return v;
};

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

const isEnvelope = (v: unknown): v is SignedPolicyFile => typeof v === 'object' && v !== null && 'policy' in v && 'signature' in v;

function publicKeyB64(key: KeyObject): string {
  const jwk = (key.type === 'public' ? key : createPublicKey(key)).export({ format: 'jwk' });
  return Buffer.from(jwk.x as string, 'base64url').toString('base64');
}

const keygen: AdminCommand = {
  usage: 'keygen --out <dir>',
  help: 'Make the org admin key pair: <dir>/admin.key (private, PKCS#8 PEM, mode 0600) and <dir>/admin.pub (public, base64).',
  options: { out: { type: 'string' } },
  async run({ values }, io) {
    const dir = need(values, 'out');
    const keyPath = join(dir, 'admin.key');
    const pubPath = join(dir, 'admin.pub');
    // A lost admin key means re-pinning every desktop: never overwrite one.
    for (const p of [keyPath, pubPath]) if (existsSync(p)) throw new Error(`${p} already exists; refusing to overwrite an admin key (choose another --out)`);
    mkdirSync(dir, { recursive: true });
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const pub = publicKeyB64(publicKey);
    writeFileSync(keyPath, privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, { mode: 0o600, flag: 'wx' });
    chmodSync(keyPath, 0o600); // the mode above is masked by umask; this makes it exact
    writeFileSync(pubPath, `${pub}\n`, { flag: 'wx' });
    io.out(`Wrote ${keyPath} (private: keep it offline, mode 0600) and ${pubPath}.`);
    io.out(`Admin public key ${pub} (key id ${await keyIdOf(pub)}): pin it on every desktop next to the policy.`);
    return 0;
  },
};

const signCmd: AdminCommand = {
  usage: 'sign --key admin.key --in policy.json --out policy.signed.json',
  help: 'Check the policy and sign it with the admin key.',
  options: { key: { type: 'string' }, in: { type: 'string' }, out: { type: 'string' } },
  async run({ values }, io) {
    const [keyPath, inPath, outPath] = [need(values, 'key'), need(values, 'in'), need(values, 'out')];
    let key: KeyObject;
    try {
      key = createPrivateKey(readText(keyPath));
    } catch (e) {
      throw new Error(`${keyPath} is not a private key (${(e as Error).message})`);
    }
    if (key.asymmetricKeyType !== 'ed25519') throw new Error(`${keyPath} is a ${key.asymmetricKeyType} key, not Ed25519`);
    let raw: unknown;
    try {
      raw = JSON.parse(readText(inPath));
    } catch (e) {
      throw new Error(`${inPath} is not JSON (${(e as Error).message})`);
    }
    const policyValue = isEnvelope(raw) ? raw.policy : raw; // re-signing a signed file signs its policy
    const parsed = parsePolicy(policyValue);
    if (!parsed.ok) return fail(io, `${inPath} is not a valid policy: ${parsed.reason}`);
    const now = io.now?.() ?? new Date();
    if (Date.parse(parsed.policy.expiresAt) <= now.getTime()) return fail(io, `${inPath} expired at ${parsed.policy.expiresAt}; every app would refuse it`);
    const pub = publicKeyB64(key);
    const file: SignedPolicyFile = {
      policy: policyValue,
      signature: sign(null, Buffer.from(policySigningBytes(policyValue)), key).toString('base64'),
      keyId: await keyIdOf(pub),
    };
    const text = `${JSON.stringify(file, null, 2)}\n`;
    // Check with the apps' own verifier before anyone ships the file.
    const check = await verifySignedPolicy(text, pub, now);
    if (!check.ok) return fail(io, `signed file does not verify: ${check.reason}`);
    writeFileSync(outPath, text);
    io.out(`Signed ${inPath} → ${outPath} with admin key ${file.keyId}: ${describe(check.policy)}.`);
    return 0;
  },
};

const verify: AdminCommand = {
  usage: 'verify --pub admin.pub --in policy.signed.json [--at <ISO time>]',
  help: 'Check a signed policy as the apps do (signature, schema, validity now or at --at).',
  options: { pub: { type: 'string' }, in: { type: 'string' }, at: { type: 'string' } },
  async run({ values }, io) {
    const pub = readText(need(values, 'pub')).trim();
    const text = readText(need(values, 'in'));
    const at = atOption(values, io);
    const result = await verifySignedPolicy(text, pub, at);
    if (!result.ok) return fail(io, `REFUSED: ${result.reason}`);
    io.out(`OK: signed by admin key ${result.keyId}; ${describe(result.policy)}.`);
    return 0;
  },
};

const summary: AdminCommand = {
  usage: 'summary --in policy(.signed).json [--pub admin.pub] [--at <ISO time>]',
  help: 'Print who may do what. With --pub the signature is checked first.',
  options: { in: { type: 'string' }, pub: { type: 'string' }, at: { type: 'string' } },
  async run({ values }, io) {
    const inPath = need(values, 'in');
    const text = readText(inPath);
    let policy: OrgPolicy;
    if (typeof values.pub === 'string') {
      const result = await verifySignedPolicy(text, readText(values.pub).trim(), atOption(values, io));
      if (!result.ok) return fail(io, `REFUSED: ${result.reason}`);
      policy = result.policy;
      io.out(`Signature checked: admin key ${result.keyId}.`);
    } else {
      let raw: unknown;
      try {
        raw = JSON.parse(text);
      } catch (e) {
        return fail(io, `${inPath} is not JSON (${(e as Error).message})`);
      }
      const parsed = parsePolicy(isEnvelope(raw) ? raw.policy : raw);
      if (!parsed.ok) return fail(io, `${inPath} is not a valid policy: ${parsed.reason}`);
      policy = parsed.policy;
      io.out(isEnvelope(raw) ? 'Signature NOT checked (pass --pub admin.pub to check it).' : 'Unsigned policy.');
    }
    for (const line of await summaryLines(policy)) io.out(line);
    return 0;
  },
};

const example: AdminCommand = {
  usage: 'example [--domain <SIP domain>] [--days <validity>]',
  help: 'Print an example policy to start from (valid from now).',
  options: { domain: { type: 'string' }, days: { type: 'string' } },
  async run({ values }, io) {
    const days = Number(values.days ?? 365);
    if (!Number.isInteger(days) || days < 1 || days > 3650) throw new UsageError('--days takes a whole number of days, 1 to 3650');
    const issued = io.now?.() ?? new Date();
    issued.setUTCMilliseconds(0);
    const expires = new Date(issued.getTime() + days * 86_400_000);
    const policy = examplePolicy({ domain: typeof values.domain === 'string' ? values.domain : 'whisperline.test', issuedAt: issued.toISOString(), expiresAt: expires.toISOString() });
    io.out(JSON.stringify(policy, null, 2));
    return 0;
  },
};

const audit: AdminCommand = {
  usage: 'audit verify <log> [--head <seq>:<hash>] | audit export-csv <log> --from <date> --to <date>',
  help: 'Checks an audit log for edited, removed or reordered entries; exports a date range as CSV.',
  options: { from: { type: 'string' }, to: { type: 'string' }, head: { type: 'string' } },
  run({ values, positionals }, io) {
    const flags = (['from', 'to', 'head'] as const).flatMap((k) => (typeof values[k] === 'string' ? [`--${k}`, values[k] as string] : []));
    // The audit commands end their own lines; this CLI's io adds one.
    const line = (write: (s: string) => void) => (text: string) => write(text.replace(/\n$/, ''));
    return runAuditCommand([...positionals, ...flags], { out: line(io.out), err: line(io.err) });
  },
};

/** Subcommands by name. */
export const adminCommands: Record<string, AdminCommand> = { keygen, sign: signCmd, verify, summary, example, audit };

export function adminUsage(): string {
  const lines = Object.values(adminCommands).map((c) => `  ${c.usage}\n      ${c.help}`);
  return `Usage: npx tsx scripts/admin.ts <command>\n${lines.join('\n')}`;
}

export async function runAdmin(argv: string[], io: AdminIO): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    if (name) io.out(adminUsage());
    else io.err(adminUsage());
    return name ? 0 : 2;
  }
  const cmd = Object.hasOwn(adminCommands, name) ? adminCommands[name] : undefined;
  if (!cmd) {
    io.err(`Unknown command "${name}".\n${adminUsage()}`);
    return 2;
  }
  try {
    let parsed: { values: Values; positionals: string[] };
    try {
      parsed = parseArgs({ args: rest, options: cmd.options, allowPositionals: true, strict: true }) as { values: Values; positionals: string[] };
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    return await cmd.run(parsed, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`${name}: ${e.message}\nUsage: ${cmd.usage}`);
      return 2;
    }
    return fail(io, `${name}: ${(e as Error).message}`);
  }
}

function fail(io: AdminIO, message: string): number {
  io.err(message);
  return 1;
}

function atOption(values: Values, io: AdminIO): Date {
  if (typeof values.at !== 'string') return io.now?.() ?? new Date();
  const at = new Date(values.at);
  if (Number.isNaN(at.getTime())) throw new UsageError(`--at: "${values.at}" is not a date/time`);
  return at;
}

const describe = (p: OrgPolicy) => `"${p.org}", ${p.people.length} people, ${p.teams.length} teams, valid ${p.issuedAt} to ${p.expiresAt}`;

/** The readable table: per person, role, modes per team, keys. */
export async function summaryLines(p: OrgPolicy): Promise<string[]> {
  const yes = (b: boolean) => (b ? 'yes' : 'no');
  const lines = [
    `Policy for ${describe(p)}.`,
    `Agents notified: ${yes(p.agentNotice.notifyAgent)}; may decline: ${yes(p.agentNotice.allowDecline)}. Calls recorded: ${p.recording.calls === '*' ? 'all' : p.recording.calls === 'none' ? 'none' : `teams ${p.recording.calls.join(', ')}`}; coaching track: ${p.recording.coachingTrack}; recordings kept ${p.recording.retentionDays} days; audit kept ${p.audit.retentionDays} days.`,
    '',
    'Teams:',
  ];
  for (const t of p.teams) {
    lines.push(`  ${t.name} (${t.id}) — queues: ${t.queues.join(', ') || 'none'}; led by: ${t.supervisors.join(', ') || 'nobody'}`);
    lines.push(`    agents: ${t.agents.join(', ') || 'none'}`);
  }
  lines.push('', 'People:');
  const width = Math.max(...supervisionModes.map((m) => m.length));
  for (const person of p.people) {
    lines.push(`  ${person.name} <${person.id}> — ${person.roles.join(', ')}`);
    const modes = supervisionModes.map((m) => [m, teamsForMode(p, person.id, m).map((t) => t.name)] as const).filter(([, teams]) => teams.length);
    if (!modes.length) {
      lines.push('    may not supervise anyone');
      continue;
    }
    for (const [mode, teams] of modes) lines.push(`    ${mode.padEnd(width)}  ${teams.join(', ')}`);
    if (!person.supervisorKeys.length) lines.push('    keys: none enrolled — cannot supervise until a key from their app is enrolled');
    for (const k of person.supervisorKeys) lines.push(`    key: ${k.label} (key id ${await keyIdOf(k.publicKey)}, enrolled ${k.enrolledAt})`);
  }
  return lines;
}

/** Placeholder key in the example: nobody holds its private key; replace it with the one the supervisor app shows. */
export const exampleSupervisorKey = 'vJ5VqoYZUruDTd/Rzvvyd322xgtq68wfPOX2D3OglrM=';

/** The demo's org: agents 1001–1003, supervisor 1101 leads Support, a trainer, a QA reviewer, an admin. */
export function examplePolicy(o: { domain: string; issuedAt: string; expiresAt: string }): OrgPolicyInput {
  const at = (ext: string) => `${ext}@${o.domain}`;
  return {
    version: 1,
    org: 'Example Contact Center',
    issuedAt: o.issuedAt,
    expiresAt: o.expiresAt,
    roles: {
      agent: { description: 'Takes calls; supervises nobody', modes: {} },
      supervisor: { description: 'Everything, on the teams they lead', modes: { listen: 'own', whisper: 'own', barge: 'own', takeover: 'own' } },
      trainer: { description: 'Coaches any team, never speaks to the customer', modes: { listen: '*', whisper: '*' } },
      qa: { description: 'Listens in for quality review', modes: { listen: '*' } },
      admin: { description: 'Runs the policy; supervises nobody', modes: {} },
    },
    teams: [
      { id: 'support', name: 'Support', queues: ['support', 'billing'], agents: [at('1001'), at('1002')], supervisors: [at('1101')] },
      { id: 'sales', name: 'Sales', queues: ['sales'], agents: [at('1003')], supervisors: [] },
    ],
    people: [
      { id: at('1001'), name: 'Demo Agent', roles: ['agent'] },
      { id: at('1002'), name: 'Second Agent', roles: ['agent'] },
      { id: at('1003'), name: 'Sales Agent', roles: ['agent'] },
      { id: at('1101'), name: 'Demo Supervisor', roles: ['supervisor'], supervisorKeys: [{ publicKey: exampleSupervisorKey, enrolledAt: o.issuedAt, label: 'example key, replace with the one the supervisor app shows' }] },
      { id: at('1201'), name: 'Trainer', roles: ['trainer'] },
      { id: at('1301'), name: 'QA Reviewer', roles: ['qa'] },
      { id: at('1901'), name: 'Org Admin', roles: ['admin'] },
    ],
    agentNotice: { notifyAgent: true, allowDecline: false },
    recording: { coachingTrack: 'with-call', retentionDays: 90 },
    audit: { retentionDays: 365 },
    desktop: { updates: { mode: 'automatic', channel: 'latest' }, startAtLogin: 'user' },
  };
}
