import type { z } from 'zod';

export type JsonParse<T> = { ok: true; value: T } | { ok: false; reason: string };

/** Parses and validates stored JSON; never throws, so a damaged file can be set aside with a reason. */
export function parseJsonWith<T>(schema: z.ZodType<T>, text: string): JsonParse<T> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return { ok: false, reason: `not valid JSON (${(e as Error).message})` };
  }
  const parsed = schema.safeParse(raw);
  if (parsed.success) return { ok: true, value: parsed.data };
  const first = parsed.error.issues[0];
  return { ok: false, reason: `${first.path.join('.') || 'value'}: ${first.message}` };
}
