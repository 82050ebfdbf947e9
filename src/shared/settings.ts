import { z } from 'zod';

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
});
export type Settings = z.infer<typeof settingsSchema>;

export const defaultSettings: Settings = settingsSchema.parse({});

export type SettingsParse = { ok: true; settings: Settings } | { ok: false; reason: string };

/** Parses stored settings text; never throws, so a corrupt file can be set aside with a reason. */
export function parseSettingsText(text: string): SettingsParse {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return { ok: false, reason: `not valid JSON (${(e as Error).message})` };
  }
  const parsed = settingsSchema.safeParse(raw);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    return { ok: false, reason: `${first.path.join('.') || 'settings'}: ${first.message}` };
  }
  return { ok: true, settings: parsed.data };
}

/** SIP auth user defaults to the extension, as most PBXs expect. */
export function authUserOf(account: Account): string {
  return account.authUser || account.extension;
}
