import { attr, child, children, readXml, text } from './xml';

/**
 * RFC 4235 dialog-info documents, as the dialog event package delivers them: what calls an
 * extension has and in which state. Kamailio (pua_dialoginfo) sends one <dialog> per call with
 * the remote party and direction; Asterisk sends one <dialog> per extension (its hint's state),
 * naming the remote party only while ringing. Both send `state="full"` documents.
 */
export type DialogState = 'trying' | 'proceeding' | 'early' | 'confirmed' | 'terminated';

export interface DialogEntry {
  id: string;
  callId?: string;
  /** recipient: the entity was called (inbound); initiator: it called out. */
  direction?: 'initiator' | 'recipient';
  state: DialogState;
  /** The other party's identity URI and display name, when the server says. */
  remote?: string;
  remoteName?: string;
}

export interface DialogInfo {
  entity: string;
  version: number;
  full: boolean;
  dialogs: DialogEntry[];
}

const states = new Set<DialogState>(['trying', 'proceeding', 'early', 'confirmed', 'terminated']);

/** null for anything that is not a dialog-info document (a hostile or broken NOTIFY). */
export function parseDialogInfo(body: string): DialogInfo | null {
  const doc = child(readXml(body), 'dialog-info');
  if (!doc) return null;
  const entity = attr(doc, 'entity');
  const version = Number(attr(doc, 'version'));
  if (!entity || !Number.isInteger(version) || version < 0) return null;
  const dialogs: DialogEntry[] = [];
  for (const d of children(doc, 'dialog').slice(0, 32)) {
    const id = attr(d, 'id');
    const state = text(child(d, 'state'))?.toLowerCase() as DialogState | undefined;
    if (!id || !state || !states.has(state)) continue;
    const direction = attr(d, 'direction');
    const identity = child(child(d, 'remote'), 'identity');
    dialogs.push({
      id,
      state,
      ...(attr(d, 'call-id') ? { callId: attr(d, 'call-id') } : {}),
      ...(direction === 'initiator' || direction === 'recipient' ? { direction } : {}),
      ...(text(identity) ? { remote: text(identity) } : {}),
      ...(attr(identity, 'display') ? { remoteName: attr(identity, 'display', 80) } : {}),
    });
  }
  return { entity, version, full: attr(doc, 'state') !== 'partial', dialogs };
}

/** What the board shows of an extension's calls. */
export type CallActivity =
  | { phase: 'idle' }
  | { phase: 'ringing' | 'dialing' | 'on-call'; direction?: 'inbound' | 'outbound'; party?: string; partyName?: string; calls: number };

/**
 * The extension's calls as one activity: on a call when any dialog is confirmed, else ringing
 * (inbound) or dialing (outbound) when any is being set up, else idle. `party` is the other side
 * of the call that decides it, as the server named it.
 */
export function callActivity(dialogs: readonly DialogEntry[]): CallActivity {
  const live = dialogs.filter((d) => d.state !== 'terminated');
  if (live.length === 0) return { phase: 'idle' };
  const main = live.find((d) => d.state === 'confirmed') ?? live[0];
  const direction = main.direction === 'recipient' ? 'inbound' : main.direction === 'initiator' ? 'outbound' : undefined;
  const phase = main.state === 'confirmed' ? 'on-call' : direction === 'outbound' ? 'dialing' : 'ringing';
  return {
    phase,
    calls: live.length,
    ...(direction ? { direction } : {}),
    ...(main.remote ? { party: main.remote } : {}),
    ...(main.remoteName ? { partyName: main.remoteName } : {}),
  };
}

/**
 * Folds a NOTIFY into what was known: a full document replaces, a partial one updates by dialog
 * id. An older or repeated version (servers resend) changes nothing. Returns null to ignore it.
 */
export function applyDialogInfo(known: { version: number; dialogs: DialogEntry[] } | null, info: DialogInfo): { version: number; dialogs: DialogEntry[] } | null {
  // Versions count per subscription: the caller starts from null on each new one.
  if (known && info.version <= known.version) return null;
  if (info.full || !known) return { version: info.version, dialogs: info.dialogs };
  const byId = new Map(known.dialogs.map((d) => [d.id, d]));
  for (const d of info.dialogs) byId.set(d.id, d);
  return { version: info.version, dialogs: [...byId.values()].filter((d) => d.state !== 'terminated') };
}
