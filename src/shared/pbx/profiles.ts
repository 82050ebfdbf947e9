import { z } from 'zod';
import type { MixMode, SupervisionMode } from '../supervision/modes';

/**
 * PBX supervision profiles: how a supervisor starts and switches supervision on a given PBX.
 * Pure and deterministic (no I/O); the supervisor view turns the plans below into SIP actions.
 *
 * - `app-mixed`: Whisperline's own path (supervision INVITE to the agent, in-dialog mode changes).
 * - `feature-code`: dial the PBX's monitoring code for the agent, then switch modes in the same
 *   session with RFC 4733 DTMF, or by hanging up and redialing another code.
 *
 * Defaults and what was checked (see the report that came with this file):
 * - Asterisk ChanSpy/ExtenSpy `d` option: DTMF 4 = spy, 5 = whisper, 6 = barge (docs.asterisk.org,
 *   Dialplan_Applications/ChanSpy and ExtenSpy). ChanSpy has no feature code of its own: `*222`,
 *   `*223`, `*224` + extension is the common FreePBX custom dialplan (github.com/miclast/
 *   freepbx-call-intrusion); FreePBX's stock ChanSpy code is `555` (no extension) and is not used.
 * - FreeSWITCH mod_dptools eavesdrop, "DTMF signals during eavesdrop": 2 = speak with the uuid,
 *   1 = speak with the other half, 3 = three way, 0 = restore eavesdrop (developer.signalwire.com
 *   .../mod-dptools/6586529). The source agrees (switch_ivr_async.c: '2' sets ED_MUX_WRITE, mixing
 *   into what the spied channel's phone receives; '1' sets ED_MUX_READ, what the other half
 *   receives; '3' both; '0' neither), and DTMF is on unless eavesdrop_enable_dtmf=false. So
 *   whisper to the agent is 2 when the spied uuid is the agent's leg, 1 when it is the customer's.
 *   FusionPBX `*33` + extension: app/dialplans/.../260_eavesdrop.xml (`^\*33(\d{2,7})$`, then
 *   eavesdrop.lua, which asks for a PIN first when one is set).
 * - 3CX: no listen/whisper/barge-in dial codes could be confirmed from documentation; the codes
 *   below are placeholders to check in the 3CX admin console, and no in-session digits are assumed.
 */

export const pbxProfileIds = ['app-mixed', 'asterisk-chanspy', 'freeswitch-eavesdrop', '3cx', 'custom'] as const;
export type PbxProfileId = (typeof pbxProfileIds)[number];
export type SpiedLeg = 'agent' | 'customer';

export interface PbxProfile {
  id: PbxProfileId;
  label: string;
  path: 'app-mixed' | 'feature-code';
  /** Dial templates per starting mode; `{ext}` is replaced by the agent's extension. */
  dial?: Partial<Record<MixMode, string>>;
  /** In-session DTMF (RFC 4733) that switches to a mode. */
  digits?: Partial<Record<MixMode, string>>;
  /** A dial template that takes the customer over (feature-code paths only; needs `takeover`). */
  takeoverDial?: string;
  /** FreeSWITCH: whose leg the PBX eavesdrops on; decides the whisper digit (agent → 2, customer → 1). */
  spiedLeg?: SpiedLeg;
  takeover: boolean;
  /** The PBX-side setting an admin needs, one sentence. */
  setting?: string;
}

export type Capability = { available: boolean; reason?: string };
export type StartPlan =
  | { kind: 'app-mixed'; mode: MixMode }
  /** Dial `target`; once the session is up, send `then` as DTMF to reach the requested mode. */
  | { kind: 'dial'; target: string; mode: MixMode; then?: string }
  | { kind: 'unavailable'; reason: string };
export type SwitchPlan =
  | { kind: 'message' }
  | { kind: 'dtmf'; digits: string }
  /** Hang up the monitoring session, then dial `target`. */
  | { kind: 'redial'; target: string }
  | { kind: 'none' }
  | { kind: 'unavailable'; reason: string };

const mixModes: readonly MixMode[] = ['listen', 'whisper', 'barge'];
const modeNames: Record<SupervisionMode, string> = { listen: 'Listen', whisper: 'Whisper', barge: 'Barge', takeover: 'Take over' };

export const builtInProfiles: Record<PbxProfileId, PbxProfile> = {
  'app-mixed': {
    id: 'app-mixed',
    label: 'Whisperline (app-mixed) — any SIP proxy or a PBX with the documented setting',
    path: 'app-mixed',
    takeover: true,
    setting:
      "Nothing through a SIP proxy; through a PBX, let a second call reach a busy agent (call waiting on) and pass the X-Whisperline-Supervise header on to the agent (in-dialog MESSAGE, which B2BUAs relay, carries mode changes).",
  },
  'asterisk-chanspy': {
    id: 'asterisk-chanspy',
    label: 'Asterisk / FreePBX (ChanSpy)',
    path: 'feature-code',
    dial: { listen: '*222{ext}', whisper: '*223{ext}', barge: '*224{ext}' },
    digits: { listen: '4', whisper: '5', barge: '6' },
    takeover: false,
    setting:
      'A dialplan that runs ChanSpy (or ExtenSpy) with the d option for *222/*223/*224 + extension (spy, whisper with w, barge with B), restricted to supervisors.',
  },
  'freeswitch-eavesdrop': {
    id: 'freeswitch-eavesdrop',
    label: 'FreeSWITCH / FusionPBX (eavesdrop)',
    path: 'feature-code',
    dial: { listen: '*33{ext}' },
    digits: { listen: '0', whisper: '2', barge: '3' },
    spiedLeg: 'agent',
    takeover: false,
    setting:
      'The eavesdrop dialplan (*33 + extension) with DTMF left on (eavesdrop_enable_dtmf not false) and no eavesdrop PIN, and "spied leg" set to the leg it picks.',
  },
  '3cx': {
    id: '3cx',
    label: '3CX (listen / whisper / barge-in codes: defaults to check in the 3CX admin console)',
    path: 'feature-code',
    // Unconfirmed placeholders, editable: check the codes in the 3CX admin console.
    dial: { listen: '*82{ext}', whisper: '*83{ext}', barge: '*84{ext}' },
    takeover: false,
    setting:
      "The supervisor's extension needs the listen, whisper and barge-in rights over the agent, and these codes must match the ones in the 3CX admin console.",
  },
  custom: {
    id: 'custom',
    label: 'Custom PBX codes',
    path: 'feature-code',
    takeover: false,
  },
};

const noTakeoverReason: Record<PbxProfileId, string> = {
  'app-mixed': 'Take over is not available',
  'asterisk-chanspy': 'ChanSpy cannot take over a call; use the app-mixed path',
  'freeswitch-eavesdrop': 'FreeSWITCH eavesdrop cannot take over a call; use the app-mixed path',
  '3cx': "3CX's listen, whisper and barge-in codes cannot take over a call; use the app-mixed path",
  custom: 'This PBX profile has no take-over code; use the app-mixed path',
};

// A dial template ends up in a SIP Request-URI: only dialable characters around one {ext}.
const dialTemplate = z
  .string()
  .max(40)
  .regex(/^[0-9*#+]*\{ext\}[0-9*#+]*$/, 'must be digits, *, # or + around {ext} (exactly once)');
const dtmfDigits = z.string().regex(/^[0-9*#A-D]{1,8}$/, 'must be 1 to 8 of 0-9, *, #, A-D');
const perMode = <T extends z.ZodType<string>>(s: T) =>
  z.object({ listen: s.optional(), whisper: s.optional(), barge: s.optional() });
// No control or bidi-override characters in anything shown in the UI.
const displayText = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .regex(/^[^\u0000-\u001f\u007f\u202a-\u202e\u2066-\u2069]*$/, 'contains control characters');

/** Validates a stored or admin-typed profile; unknown keys are stripped. */
export const profileSchema = z
  .object({
    id: z.enum(pbxProfileIds),
    label: displayText(120),
    path: z.enum(['app-mixed', 'feature-code']),
    dial: perMode(dialTemplate).optional(),
    digits: perMode(dtmfDigits).optional(),
    takeoverDial: dialTemplate.optional(),
    spiedLeg: z.enum(['agent', 'customer']).optional(),
    takeover: z.boolean(),
    setting: displayText(300).optional(),
  })
  .superRefine((p, ctx) => {
    if ((p.id === 'app-mixed') !== (p.path === 'app-mixed')) {
      ctx.addIssue({ code: 'custom', path: ['path'], message: 'only the app-mixed profile uses the app-mixed path' });
    }
    if (p.path === 'feature-code' && p.takeover && !p.takeoverDial) {
      ctx.addIssue({ code: 'custom', path: ['takeoverDial'], message: 'take over needs a take-over code' });
    }
  });

/** Turns a stored value (a built-in id or a profile object) into a profile; app-mixed when unusable. */
export function resolveProfile(stored: unknown): { profile: PbxProfile; error?: string } {
  const fallback = builtInProfiles['app-mixed'];
  if (stored === undefined || stored === null) return { profile: fallback };
  if (typeof stored === 'string') {
    if ((pbxProfileIds as readonly string[]).includes(stored)) return { profile: builtInProfiles[stored as PbxProfileId] };
    return { profile: fallback, error: `The saved PBX profile "${stored.slice(0, 40)}" is unknown; using ${fallback.label} instead.` };
  }
  const parsed = profileSchema.safeParse(stored);
  if (parsed.success) return { profile: parsed.data };
  const issue = parsed.error.issues[0];
  const where = issue?.path.length ? `${issue.path.join(' ')}: ` : '';
  return {
    profile: fallback,
    error: `The saved PBX profile could not be used (${where}${issue?.message ?? 'invalid'}); using ${fallback.label} until it is fixed.`,
  };
}

/** In-session digits in effect: FreeSWITCH's whisper digit follows the spied leg. */
function digitsOf(profile: PbxProfile): Partial<Record<MixMode, string>> {
  if (profile.id !== 'freeswitch-eavesdrop') return profile.digits ?? {};
  // Built into mod_dptools, not configurable: only the spied leg changes which one is whisper.
  return { listen: '0', whisper: profile.spiedLeg === 'customer' ? '1' : '2', barge: '3' };
}

const extensionPattern = /^[0-9A-Za-z*#+._-]{1,32}$/;

function checkExtension(ext: string): string | undefined {
  if (typeof ext !== 'string' || !ext) return 'Type the agent’s extension first';
  if (!extensionPattern.test(ext)) return `"${ext.slice(0, 40)}" is not an extension: use digits, letters, * # + . _ - (at most 32)`;
  return undefined;
}

const fill = (template: string, ext: string) => template.split('{ext}').join(ext);

/**
 * How a mode can be started: its own code, or (only from listen, so that the customer can never
 * hear the supervisor while the PBX is still switching) the listen code followed by its digit.
 */
function startRoute(profile: PbxProfile, mode: MixMode): { template: string; mode: MixMode; then?: string } | null {
  const own = profile.dial?.[mode];
  if (own) return { template: own, mode };
  const listen = profile.dial?.listen;
  const digit = digitsOf(profile)[mode];
  if (listen && digit) return { template: listen, mode: 'listen', then: digit };
  return null;
}

function missingReason(profile: PbxProfile, mode: MixMode): string {
  const hasAnyStart = mixModes.some((m) => startRoute(profile, m));
  if (!hasAnyStart) return 'No monitoring code is set in this PBX profile';
  return `${modeNames[mode]} is not set up for this PBX: the profile has no ${mode} code and no in-session ${mode} digit`;
}

/** What the supervisor's buttons may offer, with the reason shown next to each disabled one. */
export function capabilities(profile: PbxProfile): Record<SupervisionMode, Capability> {
  if (profile.path === 'app-mixed') {
    return { listen: { available: true }, whisper: { available: true }, barge: { available: true }, takeover: { available: true } };
  }
  const anyStart = mixModes.some((m) => startRoute(profile, m));
  const digits = digitsOf(profile);
  const mix = (mode: MixMode): Capability =>
    startRoute(profile, mode) || (anyStart && digits[mode]) ? { available: true } : { available: false, reason: missingReason(profile, mode) };
  return {
    listen: mix('listen'),
    whisper: mix('whisper'),
    barge: mix('barge'),
    takeover:
      profile.takeover && profile.takeoverDial && anyStart
        ? { available: true }
        : { available: false, reason: noTakeoverReason[profile.id] },
  };
}

/** How to start supervising `agentExtension` in `mode`. */
export function planStart(profile: PbxProfile, agentExtension: string, mode: MixMode): StartPlan {
  const bad = checkExtension(agentExtension);
  if (bad) return { kind: 'unavailable', reason: bad };
  if (profile.path === 'app-mixed') return { kind: 'app-mixed', mode };
  const route = startRoute(profile, mode);
  if (!route) {
    const cap = capabilities(profile)[mode];
    const reason = cap.available ? `${modeNames[mode]} can only be reached from another mode on this PBX; start with that mode` : cap.reason;
    return { kind: 'unavailable', reason: reason ?? missingReason(profile, mode) };
  }
  const target = fill(route.template, agentExtension);
  return route.then ? { kind: 'dial', target, mode: route.mode, then: route.then } : { kind: 'dial', target, mode: route.mode };
}

/** How to go from `from` to `to` in a running supervision session. */
export function planSwitch(profile: PbxProfile, from: MixMode, to: SupervisionMode, agentExtension: string): SwitchPlan {
  if (from === to) return { kind: 'none' };
  const cap = capabilities(profile)[to];
  if (!cap.available) return { kind: 'unavailable', reason: cap.reason ?? `${modeNames[to]} is not available` };
  if (profile.path === 'app-mixed') return { kind: 'message' };
  const digit = to === 'takeover' ? undefined : digitsOf(profile)[to];
  if (digit) return { kind: 'dtmf', digits: digit };
  const template = to === 'takeover' ? profile.takeoverDial : profile.dial?.[to];
  if (!template) return { kind: 'unavailable', reason: to === 'takeover' ? noTakeoverReason[profile.id] : missingReason(profile, to) };
  const bad = checkExtension(agentExtension);
  if (bad) return { kind: 'unavailable', reason: bad };
  return { kind: 'redial', target: fill(template, agentExtension) };
}
