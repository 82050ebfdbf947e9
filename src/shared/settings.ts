import { z } from 'zod';
import { parseJsonWith } from './parseJson';
import { defaultQuickPhrases, maxQuickPhrases, quickPhraseSchema } from './supervision/coaching';

/** SIP account as the user types it; the password is kept apart (safeStorage / session only). */
export const accountSchema = z.object({
  server: z
    .string()
    .trim()
    .regex(/^wss?:\/\/[^\s/]+(\/\S*)?$/i, 'Server must be a ws:// or wss:// URL'),
  domain: z.string().trim().min(1, 'SIP domain is required').max(253),
  extension: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9._+-]{1,64}$/, 'Extension: letters, digits and . _ + - only'),
  authUser: z.string().trim().max(128).default(''),
  displayName: z.string().trim().max(128).default(''),
  /**
   * How supervision works on this account's PBX: a built-in profile id or a custom profile
   * (`src/shared/pbx/profiles.ts`). Checked where it is used, so a damaged value falls back to
   * app-mixed with a message instead of losing the account.
   */
  pbxProfile: z.unknown().optional(),
});
export type Account = z.infer<typeof accountSchema>;

export const audioSettingsSchema = z.object({
  micId: z.string().max(512).nullable().default(null),
  headsetId: z.string().max(512).nullable().default(null),
  ringerId: z.string().max(512).nullable().default(null),
});
export type AudioSettings = z.infer<typeof audioSettingsSchema>;

export const settingsSchema = z.object({
  version: z.literal(1).default(1),
  role: z.enum(['agent', 'supervisor']).default('agent'),
  account: accountSchema.nullable().default(null),
  audio: audioSettingsSchema.default({ micId: null, headsetId: null, ringerId: null }),
  dtmfMode: z.enum(['rfc4733', 'info']).default('rfc4733'),
  /**
   * Retired: who may supervise whom, whether the agent is shown a silent listener and may decline
   * coaching are the signed org policy's alone (`agentNotice`). These agent-editable fields are
   * kept only so older settings files still load, and are ignored.
   */
  supervision: z
    .object({
      supervisors: z.array(z.string().trim().min(1).max(256)).max(200).default([]),
      notifyAgent: z.boolean().default(true),
      allowDeclineWhisper: z.boolean().default(false),
    })
    .default({ supervisors: [], notifyAgent: true, allowDeclineWhisper: false }),
  /** Supervisor's voice level in the agent's headset, 0..2 (1 = as received). */
  supervisorVolume: z.number().min(0).max(2).default(1),
  /** Supervisor's quick coaching phrases; a damaged list falls back to the defaults, never the whole file. */
  quickPhrases: z.array(quickPhraseSchema).max(maxQuickPhrases).default(defaultQuickPhrases).catch(defaultQuickPhrases),
  /** Interface language; `auto` follows the system. An unknown value falls back to `auto`. */
  language: z.enum(['auto', 'en', 'de']).default('auto').catch('auto'),
  /** `auto` follows the system's contrast preference (prefers-contrast / forced colours). */
  contrast: z.enum(['auto', 'standard', 'high']).default('auto').catch('auto'),
  /** The user's own choice; the signed policy's `desktop.startAtLogin` (on/off) overrides it. */
  startAtLogin: z.boolean().default(false).catch(false),
});
export type Settings = z.infer<typeof settingsSchema>;

export const defaultSettings: Settings = settingsSchema.parse({});

export type SettingsParse = { ok: true; settings: Settings } | { ok: false; reason: string };

export function parseSettingsText(text: string): SettingsParse {
  const r = parseJsonWith(settingsSchema, text);
  return r.ok ? { ok: true, settings: r.value } : r;
}

/** SIP auth user defaults to the extension, as most PBXs expect. */
export function authUserOf(account: Account): string {
  return account.authUser || account.extension;
}

/**
 * A first-run account handed over by whoever set the app up (IT's provisioning file, or the local
 * demo server). Used only while the user has no account of their own.
 */
export const provisionSchema = z.object({
  account: accountSchema,
  password: z.string().max(256).optional(),
  role: z.enum(['agent', 'supervisor']).optional(),
  /** Ignored (see settings.supervision); accepted so older provisioning files still load. */
  supervisors: z.array(z.string().trim().min(1).max(256)).max(200).optional(),
});
export type Provision = z.infer<typeof provisionSchema>;

/** Settings with a provisioned account applied (only used while the user has none of their own). */
export function applyProvision(settings: Settings, provision: Provision): Settings {
  return {
    ...settings,
    account: provision.account,
    role: provision.role ?? settings.role,
  };
}
