import { z } from 'zod';

export const supervisionModes = ['listen', 'whisper', 'barge', 'takeover'] as const;
export type SupervisionMode = (typeof supervisionModes)[number];
/** Modes that are a state of the agent's audio graph (takeover is a transfer, not a mix). */
export type MixMode = Exclude<SupervisionMode, 'takeover'>;

/**
 * Who hears whom, per DESIGN.md. The agent's audio graph is built from this table; a path that is
 * false has no connection at all in the graph (not a gain of zero).
 */
export const routing: Record<MixMode, { supervisorToAgentHeadset: boolean; supervisorToCustomer: boolean; supervisorMicOpen: boolean }> = {
  listen: { supervisorToAgentHeadset: false, supervisorToCustomer: false, supervisorMicOpen: false },
  whisper: { supervisorToAgentHeadset: true, supervisorToCustomer: false, supervisorMicOpen: true },
  barge: { supervisorToAgentHeadset: true, supervisorToCustomer: true, supervisorMicOpen: true },
};

/** SIP header on the supervisor's INVITE: `X-Whisperline-Supervise: mode=listen[;call=<Call-ID>]`. */
export const superviseHeader = 'X-Whisperline-Supervise';

export interface SuperviseRequest {
  mode: MixMode;
  /** The SIP Call-ID of the customer call, when the supervisor knows it; else the agent's current call. */
  callId: string | null;
}

export function formatSuperviseHeader(req: SuperviseRequest): string {
  return `${superviseHeader}: mode=${req.mode}${req.callId ? `;call=${req.callId}` : ''}`;
}

/** Parses the header value; null for anything malformed (the request is then refused with 400). */
export function parseSuperviseHeader(value: string): SuperviseRequest | null {
  if (value.length > 512) return null;
  const params = new Map<string, string>();
  for (const part of value.split(';')) {
    const [k, v, ...rest] = part.split('=');
    if (!k || v === undefined || rest.length) return null;
    params.set(k.trim().toLowerCase(), v.trim());
  }
  const mode = params.get('mode');
  if (mode !== 'listen' && mode !== 'whisper' && mode !== 'barge') return null;
  const callId = params.get('call') ?? null;
  if (callId !== null && !/^[\x21-\x7e]{1,256}$/.test(callId)) return null;
  return { mode, callId };
}

/**
 * In-dialog body on the supervision leg, either way. Sent as MESSAGE, which B2BUA PBXs relay between
 * the two bridged calls with its content type (Asterisk does; it drops INFO bodies); INFO with the
 * same body is still understood. `mode`: a requested change (from the supervisor; from the agent
 * only a step down to listen). `state`: the agent's app reports the mode its audio graph now
 * applies: the confirmation of a join and of each change, end to end through any PBX.
 */
export const supervisionInfoContentType = 'application/vnd.whisperline.supervision+json';
export const supervisionInfoSchema = z.object({
  type: z.enum(['mode', 'state']).default('mode'),
  mode: z.enum(supervisionModes),
  /** Set when the agent, not the supervisor, changed it (agent declined whisper). */
  by: z.enum(['supervisor', 'agent']).default('supervisor'),
  /**
   * The supervisor numbers its requests: a PBX or a proxy's workers may deliver two in-dialog
   * requests out of order, and a late repeat must never undo a newer change.
   */
  seq: z.number().int().nonnegative().max(2 ** 31).optional(),
});
export type SupervisionInfo = z.infer<typeof supervisionInfoSchema>;

export function parseSupervisionInfo(body: string): SupervisionInfo | null {
  if (body.length > 1024) return null;
  try {
    const parsed = supervisionInfoSchema.safeParse(JSON.parse(body));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
