/**
 * The org policy: who may supervise whom, in which modes, and what is kept. Written by the org's
 * admin, signed with the admin key (signedPolicy.ts), pushed by IT. Every object is strict (a typo
 * is an error, not a silently ignored right) and every string and list is bounded, so a hostile file
 * costs at most `maxPolicyChars` of memory to refuse.
 */
import { z } from 'zod';
import { supervisionModes } from '../supervision/modes';
import { base64ToBytes } from './canonical';
import { qaPolicySchema } from '../org/qa';

/** A policy for thousands of people fits in well under this. */
export const maxPolicyChars = 4 * 1024 * 1024;

export const roleNames = ['agent', 'supervisor', 'trainer', 'qa', 'admin'] as const;
export type RoleName = (typeof roleNames)[number];

/**
 * `user@host` as the PBX authenticates it, compared in lower case (as normalizeIdentity does).
 * At most 64 characters so that a supervision statement naming two of them fits in a SIP header.
 */
export const maxIdentityChars = 64;
export const sipIdentityPattern = /^[a-z0-9._+~!$&'*=%-]{1,63}@(?:[a-z0-9.-]{1,62}|\[[0-9a-f:.]{2,45}\])$/;
export const sipIdentitySchema = z
  .string()
  .trim()
  .toLowerCase()
  .max(maxIdentityChars)
  .regex(sipIdentityPattern, 'must be a SIP identity such as 1001@pbx.example.com');

const idSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'letters, digits and . _ - (at most 64)');
const textSchema = (max: number) => z.string().trim().min(1).max(max);
const isoSchema = z.iso.datetime({ offset: true });

/** Raw 32-byte Ed25519 public key in standard base64 (what the supervisor app shows for enrolment). */
export const publicKeySchema = z
  .string()
  .trim()
  .max(64)
  .refine((s) => base64ToBytes(s)?.length === 32, 'must be a raw 32-byte Ed25519 public key in base64');

/** Which teams a mode may be used on: all teams, the teams this person leads, or the teams listed. */
export const teamScopeSchema = z.union([z.literal('*'), z.literal('own'), z.array(idSchema).min(1).max(500)]);
export type TeamScope = z.infer<typeof teamScopeSchema>;

const roleRuleSchema = z
  .object({
    description: textSchema(256).optional(),
    modes: z
      .object({ listen: teamScopeSchema.optional(), whisper: teamScopeSchema.optional(), barge: teamScopeSchema.optional(), takeover: teamScopeSchema.optional() })
      .strict(),
  })
  .strict();
export type RoleRule = z.infer<typeof roleRuleSchema>;

const teamSchema = z
  .object({
    id: idSchema,
    name: textSchema(128),
    queues: z.array(textSchema(64)).max(100).default([]),
    agents: z.array(sipIdentitySchema).max(2000),
    /** People who lead this team: the scope `own` in a role's modes. */
    supervisors: z.array(sipIdentitySchema).max(100).default([]),
  })
  .strict();
export type Team = z.infer<typeof teamSchema>;

const supervisorKeySchema = z
  .object({
    publicKey: publicKeySchema,
    enrolledAt: isoSchema,
    label: textSchema(128),
  })
  .strict();
export type SupervisorKey = z.infer<typeof supervisorKeySchema>;

const personSchema = z
  .object({
    id: sipIdentitySchema,
    name: textSchema(128),
    roles: z.array(z.enum(roleNames)).min(1).max(roleNames.length),
    /** One per device the person supervises from; each app makes its own key pair. */
    supervisorKeys: z.array(supervisorKeySchema).max(8).default([]),
  })
  .strict();
export type Person = z.infer<typeof personSchema>;

/**
 * A DNS name (labels of letters, digits and inner hyphens; the last one not all digits, so a
 * mistyped IPv4 address such as 10.0.0.256 is refused) or an IPv4/IPv6 address, without brackets.
 */
const hostnamePattern = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*(?=[a-z0-9-]*[a-z])[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;
const hostSchema = z.union([z.ipv4(), z.ipv6(), z.string().regex(hostnamePattern)], { error: 'must be a host name or an IP address' });

/**
 * Where the receiver of the audit log listens: https:// only (entries name people and calls). No
 * user:password in it: every user of the machine can read the policy, and status lines would show it.
 */
const forwardUrlSchema = z
  .string()
  .max(2048)
  .refine((s) => {
    try {
      const u = new URL(s);
      return u.protocol === 'https:' && u.username === '' && u.password === '' && u.hash === '' && hostSchema.safeParse(u.hostname.replace(/^\[(.*)\]$/, '$1')).success;
    } catch {
      return false;
    }
  }, 'must be an https:// address without user name, password or #fragment');

/** PEM certificates (the CA of an org's private PKI); a chain of a few fits well under 64 KiB. */
const pemCertificatesSchema = z
  .string()
  .max(64 * 1024)
  .regex(/^\s*(?:-----BEGIN CERTIFICATE-----[A-Za-z0-9+/=\s]+-----END CERTIFICATE-----\s*)+$/, 'must be PEM certificates (-----BEGIN CERTIFICATE-----)');

/** Copies of the audit log for the org's log pipeline (src/main/audit/forwarding.ts); each destination gets every entry. */
const auditForwardSchema = z
  .object({
    /** RFC 5424 over TCP, octet-counted (rsyslog imtcp, syslog-ng network(transport("tcp"))). */
    syslog: z
      .object({
        host: hostSchema,
        port: z.number().int().min(1).max(65535),
        /** APP-NAME; printable ASCII without spaces (RFC 5424). Default "whisperline". */
        appName: z.string().regex(/^[\x21-\x7e]{1,48}$/, 'printable ASCII without spaces, at most 48').optional(),
        /** Syslog facility 0–23; default 13 (log audit). */
        facility: z.number().int().min(0).max(23).optional(),
        /** SD-ID, e.g. "whisperline@<your IANA enterprise number>". */
        sdId: z.string().regex(/^[\x21\x23-\x3c\x3e-\x5c\x5e-\x7e]{1,32}$/, 'printable ASCII without spaces, =, ] or ", at most 32').optional(),
      })
      .strict()
      .optional(),
    /** One JSON POST per batch (src/main/audit/https.ts); any 2xx is delivered. */
    https: z
      .object({
        url: forwardUrlSchema,
        /** Trust this CA (PEM) for the receiver's certificate instead of the system's CAs. */
        ca: pemCertificatesSchema.optional(),
      })
      .strict()
      .optional(),
  })
  .strict();
export type AuditForwardConfig = z.infer<typeof auditForwardSchema>;

/**
 * The update server IT hosts (electron-builder's generic provider: `<channel>.yml` and the installers
 * beside it). https:// only, like the audit receiver: whoever answers at this address decides what the
 * desks install (the Linux AppImage has no signature check of its own). Plain http:// only to this
 * machine (127.0.0.1, ::1, localhost), where nothing crosses a network: a local test feed. No
 * user:password or #fragment (every user can read the policy; status lines show the address).
 */
export const updateFeedUrlSchema = z
  .string()
  .max(2048)
  .refine((s) => {
    try {
      const u = new URL(s);
      const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
      const loopback = host === '127.0.0.1' || host === '::1' || host.toLowerCase() === 'localhost';
      return (u.protocol === 'https:' || (u.protocol === 'http:' && loopback)) && u.username === '' && u.password === '' && u.hash === '' && hostSchema.safeParse(host).success;
    } catch {
      return false;
    }
  }, 'must be an https:// address (http:// only to 127.0.0.1, ::1 or localhost) without user name, password or #fragment');

/**
 * An update channel: electron-builder's `latest`, `beta`, `alpha` or a name IT chose (a channel it
 * holds at one version, a pilot ring). The desk reads `<channel>.yml` (Windows), `<channel>-mac.yml`,
 * `<channel>-linux.yml` from the feed, so the name is one plain path segment.
 */
export const updateChannelSchema = z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, 'lower-case letters, digits and - (at most 32), starting with a letter');

export const updateModes = ['automatic', 'notify', 'off'] as const;
export type UpdateMode = (typeof updateModes)[number];

/**
 * How the desktop app updates itself (src/main/updates/). `automatic`: downloaded in the background
 * and installed on restart; `notify`: the user is told and chooses when to download; `off`: no request
 * to any update server. No version pin: the generic feed offers one version per channel, so IT pins
 * with a channel it holds still, and `allowDowngrade` lets desks follow that channel back down.
 */
export const desktopUpdatesSchema = z
  .object({
    mode: z.enum(updateModes),
    channel: updateChannelSchema.optional(),
    url: updateFeedUrlSchema.optional(),
    /** Install an older version when the channel offers one (a pulled release, a move to a held channel). Default false. */
    allowDowngrade: z.boolean().optional(),
  })
  .strict();
export type DesktopUpdatesPolicy = z.infer<typeof desktopUpdatesSchema>;

/** `on`/`off`: IT decides whether the app starts at login; `user` (the default): the user's setting does. */
export const startAtLoginValues = ['on', 'off', 'user'] as const;
export type StartAtLoginPolicy = (typeof startAtLoginValues)[number];

const desktopSchema = z.object({ updates: desktopUpdatesSchema.optional(), startAtLogin: z.enum(startAtLoginValues).optional() }).strict();
export type DesktopPolicy = z.infer<typeof desktopSchema>;

/**
 * The org service (src/server/): desks upload call records, wrap-ups and supervision sessions to it and
 * ask it for team reports. Same address rules as the update feed: https://, plain http:// to loopback only.
 */
const orgServiceSchema = z
  .object({
    url: updateFeedUrlSchema,
    /** Days the service keeps call records and supervision sessions. Default 730 (two years of trends). */
    retentionDays: z.number().int().min(1).max(3650).default(730),
    /** Desks also send their finished recordings, so QA can review any desk's calls (kept per `recording.retentionDays`). */
    recordings: z.boolean().default(false),
  })
  .strict();
export type OrgServicePolicy = z.infer<typeof orgServiceSchema>;

export const policySchema = z
  .object({
    version: z.literal(1),
    org: textSchema(128),
    issuedAt: isoSchema,
    expiresAt: isoSchema,
    roles: z
      .object({ agent: roleRuleSchema.optional(), supervisor: roleRuleSchema.optional(), trainer: roleRuleSchema.optional(), qa: roleRuleSchema.optional(), admin: roleRuleSchema.optional() })
      .strict(),
    teams: z.array(teamSchema).max(500),
    people: z.array(personSchema).max(10_000),
    agentNotice: z.object({ notifyAgent: z.boolean(), allowDecline: z.boolean() }).strict(),
    recording: z
      .object({
        /**
         * Whose calls the agents' apps record: nobody (the default), every agent (`*`), or the agents
         * of the teams listed.
         */
        calls: z.union([z.literal('none'), z.literal('*'), z.array(idSchema).min(1).max(500)]).default('none'),
        /**
         * The supervisor's track (what the agent heard of the supervisor: whisper and barge):
         * `never` dropped (not on disk at all), `with-call` kept in the call's recording,
         * `separate` (and `always`, its older name) kept apart with its own retention.
         */
        coachingTrack: z.enum(['never', 'with-call', 'separate', 'always']),
        /** Days a recording is kept; 0: until deleted by hand. */
        retentionDays: z.number().int().min(0).max(3650),
        /** Days a coaching track kept apart is kept (default: retentionDays). */
        coachingRetentionDays: z.number().int().min(0).max(3650).optional(),
        /** The agent may pause the recording (card numbers, PCI DSS): silence is recorded meanwhile. */
        pciPause: z.boolean().default(true),
        /** The agent sees "This call is recorded". */
        notifyAgent: z.boolean().default(true),
        /** Call-IDs or agent identities whose recordings are never deleted, whatever the retention. */
        legalHold: z.array(z.string().trim().min(1).max(1024)).max(10_000).default([]),
      })
      .strict(),
    audit: z.object({ retentionDays: z.number().int().min(1).max(3650), forward: auditForwardSchema.optional() }).strict(),
    /** The desktop app's updates and start at login; absent: the user's own settings and the build's feed. */
    desktop: desktopSchema.optional(),
    /** Where desks send their records for team reports; absent: each desk keeps its own history only. */
    orgService: orgServiceSchema.optional(),
    /** QA review: the scorecards evaluators score recorded calls with (src/shared/org/qa.ts). */
    qa: qaPolicySchema.optional(),
  })
  .strict()
  .superRefine((p, ctx) => {
    // Cross-references: a typo in a team id must not silently drop (or grant) a right.
    if (Date.parse(p.expiresAt) <= Date.parse(p.issuedAt)) ctx.addIssue({ code: 'custom', path: ['expiresAt'], message: 'must be after issuedAt' });
    const teamIds = new Set<string>();
    p.teams.forEach((t, i) => {
      if (teamIds.has(t.id)) ctx.addIssue({ code: 'custom', path: ['teams', i, 'id'], message: `duplicate team id "${t.id}"` });
      teamIds.add(t.id);
    });
    const personIds = new Set<string>();
    const keys = new Set<string>();
    p.people.forEach((person, i) => {
      if (personIds.has(person.id)) ctx.addIssue({ code: 'custom', path: ['people', i, 'id'], message: `duplicate person "${person.id}"` });
      personIds.add(person.id);
      person.supervisorKeys.forEach((k, j) => {
        // A key is one device of one person; listed twice it would be ambiguous whose statement it signs.
        if (keys.has(k.publicKey)) ctx.addIssue({ code: 'custom', path: ['people', i, 'supervisorKeys', j, 'publicKey'], message: 'key is enrolled more than once' });
        keys.add(k.publicKey);
      });
    });
    for (const role of roleNames) {
      const modes = p.roles[role]?.modes ?? {};
      for (const mode of supervisionModes) {
        const scope = modes[mode];
        if (!Array.isArray(scope)) continue;
        scope.forEach((id, i) => {
          if (!teamIds.has(id)) ctx.addIssue({ code: 'custom', path: ['roles', role, 'modes', mode, i], message: `unknown team "${id}"` });
        });
      }
    }
    if (Array.isArray(p.recording.calls))
      p.recording.calls.forEach((id, i) => {
        if (!teamIds.has(id)) ctx.addIssue({ code: 'custom', path: ['recording', 'calls', i], message: `unknown team "${id}"` });
      });
    p.teams.forEach((t, i) =>
      t.supervisors.forEach((s, j) => {
        if (!personIds.has(s)) ctx.addIssue({ code: 'custom', path: ['teams', i, 'supervisors', j], message: `"${s}" is not in people` });
      }),
    );
  });

/** The policy as the app uses it (identities lower-cased, defaults filled). */
export type OrgPolicy = z.infer<typeof policySchema>;
/** The policy as written in the file. */
export type OrgPolicyInput = z.input<typeof policySchema>;

export type PolicyParse = { ok: true; policy: OrgPolicy } | { ok: false; reason: string };

/** Validates an already-parsed value; never throws. The reason names the first offending field. */
export function parsePolicy(value: unknown): PolicyParse {
  let parsed: ReturnType<typeof policySchema.safeParse>;
  try {
    parsed = policySchema.safeParse(value);
  } catch (e) {
    // Only reachable with live objects (a throwing getter, a Proxy), never with parsed JSON.
    return { ok: false, reason: `policy: unreadable (${(e as Error)?.message ?? 'error'})` };
  }
  if (parsed.success) return { ok: true, policy: parsed.data };
  const first = parsed.error.issues[0];
  const where = first.path.map(String).join('.') || 'policy';
  return { ok: false, reason: `${where}: ${first.message}` };
}

export function parsePolicyText(text: string): PolicyParse {
  if (typeof text !== 'string') return { ok: false, reason: 'not text' };
  if (text.length > maxPolicyChars) return { ok: false, reason: `larger than ${maxPolicyChars} characters` };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return { ok: false, reason: `not valid JSON (${(e as Error).message})` };
  }
  return parsePolicy(raw);
}
