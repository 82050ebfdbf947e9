import { z } from 'zod';
import { ipcChannels, type LoadedSettings, type OrgPolicyStatus, type SupervisorKeyInfo } from '../shared/bridge';
import { settingsSchema, type Settings } from '../shared/settings';
import { callRecordSchema, wrapUpSchema, type HistoryEntry, type HistoryRead } from '../shared/callHistory';

export interface IpcMainLike {
  handle(channel: string, listener: (event: { senderFrame?: { url: string } | null }, ...args: unknown[]) => unknown): void;
}

export interface MainServices {
  loadSettings(): LoadedSettings;
  saveSettings(settings: Settings): void;
  getPassword(): string | null;
  setPassword(password: string): { persisted: boolean };
  appendHistory(entry: HistoryEntry): Promise<void>;
  readHistory(): Promise<HistoryRead>;
  getOrgPolicy(): Promise<OrgPolicyStatus>;
  getSupervisorKey(): Promise<SupervisorKeyInfo>;
  /** Only the app's own pages may call in. */
  isTrustedSender(url: string): boolean;
}

/**
 * Every IPC input is parsed with zod here, on the main side: a compromised or buggy renderer gets a
 * clear error instead of writing arbitrary data to disk.
 */
export function registerIpcHandlers(ipc: IpcMainLike, services: MainServices): void {
  const guarded =
    <A extends unknown[], R>(schema: z.ZodType<A>, fn: (...args: A) => R) =>
    (event: { senderFrame?: { url: string } | null }, ...args: unknown[]) => {
      const url = event.senderFrame?.url ?? '';
      if (!services.isTrustedSender(url)) throw new Error(`IPC refused from ${url || 'unknown frame'}`);
      const parsed = schema.safeParse(args);
      if (!parsed.success) throw new Error(`Invalid request: ${parsed.error.issues[0]?.message ?? 'bad input'}`);
      return fn(...parsed.data);
    };

  ipc.handle(ipcChannels.loadSettings, guarded(z.tuple([]), () => services.loadSettings()));
  ipc.handle(ipcChannels.saveSettings, guarded(z.tuple([settingsSchema]), (s) => services.saveSettings(s)));
  ipc.handle(ipcChannels.getPassword, guarded(z.tuple([]), () => services.getPassword()));
  ipc.handle(ipcChannels.setPassword, guarded(z.tuple([z.string().max(256)]), (p) => services.setPassword(p)));
  ipc.handle(
    ipcChannels.appendCall,
    guarded(z.tuple([callRecordSchema]), (call) => services.appendHistory({ kind: 'call', call })),
  );
  ipc.handle(
    ipcChannels.appendWrapUp,
    guarded(z.tuple([z.string().min(1).max(128), wrapUpSchema]), (callId, wrapUp) =>
      services.appendHistory({ kind: 'wrapup', callId, wrapUp, at: new Date().toISOString() }),
    ),
  );
  ipc.handle(ipcChannels.readHistory, guarded(z.tuple([]), () => services.readHistory()));
  ipc.handle(ipcChannels.orgPolicy, guarded(z.tuple([]), () => services.getOrgPolicy()));
  ipc.handle(ipcChannels.supervisorKey, guarded(z.tuple([]), () => services.getSupervisorKey()));
}
