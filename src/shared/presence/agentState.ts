import type { MixMode } from '../supervision/modes';
import { attr, child, children, escapeXml, readXml, text } from './xml';

/**
 * What an agent's app tells its supervisors about itself, as a PIDF presence document (RFC 3863)
 * that any presence server stores and relays: <basic> open while signed in, an RPID activity and
 * a <note> that other SIP clients show ("Ready", "Not ready", "Wrap-up"), and one extension
 * element (`urn:whisperline:agent`) with what the team board needs beyond that: a raised hand,
 * who supervises the agent's call and how, and when that call was answered.
 */
export type Availability = 'ready' | 'not-ready' | 'wrap-up';

export interface AgentState {
  /** The agent, `user@domain`. */
  agent: string;
  signedIn: boolean;
  availability: Availability;
  /** The agent asks for help (reason may be empty); null when the hand is down. */
  hand: { reason: string; since: string } | null;
  /** Who supervises the agent's current call (their SIP identity) and in which mode. */
  supervision: { by: string; mode: MixMode } | null;
  /** When the current customer call was answered (ISO), null when on none. */
  callSince: string | null;
  /** When this state was published (ISO): the newer of two documents wins. */
  at: string;
}

export const agentNs = 'urn:whisperline:agent';
const notes: Record<Availability, string> = { ready: 'Ready', 'not-ready': 'Not ready', 'wrap-up': 'Wrap-up' };
const activities: Record<Availability, string> = { ready: 'available', 'not-ready': 'away', 'wrap-up': 'busy' };
const modes = new Set<MixMode>(['listen', 'whisper', 'barge']);
const limits = { reason: 140, identity: 200 };

/** XML 1.0 has no place for control characters or lone surrogates: a reason typed or pasted is cleaned. */
function xmlSafe(s: string, max: number): string {
  return s
    .replace(/[\u0000-\u001f\u007f\ufffe\uffff]/g, ' ')
    .replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, max);
}

export function agentStateXml(s: AgentState): string {
  const a = (name: string, v: string | null | undefined) => (v ? ` ${name}="${escapeXml(v)}"` : '');
  const ext =
    `<wl:agent availability="${s.availability}"${a('callSince', s.callSince)}${a('at', s.at)}>` +
    (s.hand ? `<wl:hand since="${escapeXml(s.hand.since)}">${escapeXml(xmlSafe(s.hand.reason, limits.reason))}</wl:hand>` : '') +
    (s.supervision ? `<wl:supervision by="${escapeXml(s.supervision.by)}" mode="${s.supervision.mode}"/>` : '') +
    '</wl:agent>';
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid" xmlns:wl="${agentNs}" entity="sip:${escapeXml(s.agent)}">` +
    `<tuple id="whisperline"><status><basic>${s.signedIn ? 'open' : 'closed'}</basic></status>${ext}</tuple>` +
    `<dm:person id="agent"><rpid:activities><rpid:${activities[s.availability]}/></rpid:activities><dm:note>${notes[s.availability]}</dm:note></dm:person>` +
    '</presence>'
  );
}

/**
 * Reads a presence document. From our own apps: the whole state. From anything else (another
 * client, or a PBX that builds the document from device state, like Asterisk): what standard PIDF
 * says (signed in or not), with no availability. null when it is not PIDF at all.
 */
export function parseAgentState(body: string): { signedIn: boolean; state: Omit<AgentState, 'agent'> | null; entity: string } | null {
  const doc = child(readXml(body), 'presence');
  const entity = attr(doc, 'entity');
  if (!doc || !entity) return null;
  const tuples = children(doc, 'tuple');
  const signedIn = tuples.some((t) => text(child(child(t, 'status'), 'basic'))?.toLowerCase() === 'open');
  const ours = tuples.map((t) => child(t, 'agent')).find((x) => x !== undefined);
  const availability = attr(ours, 'availability') as Availability | undefined;
  if (!ours || !availability || !(availability in notes)) return { signedIn, state: null, entity };
  const hand = child(ours, 'hand');
  const sup = child(ours, 'supervision');
  const supMode = attr(sup, 'mode') as MixMode | undefined;
  return {
    signedIn,
    entity,
    state: {
      signedIn,
      availability,
      hand: hand ? { reason: text(hand, limits.reason) ?? '', since: validTime(attr(hand, 'since')) ?? '' } : null,
      supervision: sup && attr(sup, 'by') && supMode && modes.has(supMode) ? { by: attr(sup, 'by', limits.identity)!, mode: supMode } : null,
      callSince: validTime(attr(ours, 'callSince')) ?? null,
      at: validTime(attr(ours, 'at')) ?? new Date(0).toISOString(),
    },
  };
}

function validTime(s: string | undefined): string | undefined {
  return s && !Number.isNaN(Date.parse(s)) ? new Date(s).toISOString() : undefined;
}
