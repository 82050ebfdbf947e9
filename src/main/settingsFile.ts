import { existsSync, readFileSync, renameSync } from 'node:fs';
import { z } from 'zod';
import { parseJsonWith } from '../shared/parseJson';
import { settingsSchema } from '../shared/settings';

export interface SettingsRecovery {
  /** Why the file was set aside, for the user; null when it was fine or absent. */
  notice: string | null;
  backupPath: string | null;
}

/**
 * Runs before electron-store opens the file: a settings file that is not valid JSON or does not
 * match the schema is renamed aside (kept for support, never deleted) so defaults load and the
 * user is told why.
 */
export function setAsideCorruptSettings(path: string, now: () => Date = () => new Date()): SettingsRecovery {
  if (!existsSync(path)) return { notice: null, backupPath: null };
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    return { notice: `Settings could not be read (${(e as Error).message}); defaults are in use.`, backupPath: null };
  }
  const parsed = parseJsonWith(storeFileSchema, text);
  if (parsed.ok) return { notice: null, backupPath: null };
  const backupPath = path.replace(/\.json$/, '') + `.corrupt-${now().toISOString().replace(/[:.]/g, '-')}.json`;
  renameSync(path, backupPath);
  return {
    notice: `Your settings file was damaged (${parsed.reason}). It was kept as ${backupPath} and default settings were loaded.`,
    backupPath,
  };
}

/** The whole electron-store file: the settings plus the encrypted password. */
const storeFileSchema = z.object({
  settings: settingsSchema.optional(),
  sipPasswordEncrypted: z.string().max(4096).optional(),
});
