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

/**
 * SIP header on the supervisor's INVITE: `X-Whisperline-Supervise: mode=listen[;call=<Call-ID>];stmt=<token>`,
 * `stmt` being the supervisor's signed statement (shared/policy/statement.ts).
 */
export const superviseHeader = 'X-Whisperline-Supervise';
/** Room for the parameters and a statement (at most 600 characters). */
export const maxSuperviseHeaderChars = 1024;
const statementToken = /^[A-Za-z0-9_.-]{1,700}$/;

export interface SuperviseRequest {
  mode: MixMode;
  /** The SIP Call-ID of the customer call, when the supervisor knows it; else the agent's current call. */
  callId: string | null;
  /** The signed statement; null when the request carries none (then it is refused). */
  statement: string | null;
}

export function formatSuperviseHeader(req: SuperviseRequest): string {
  return `${superviseHeader}: mode=${req.mode}${req.callId ? `;call=${req.callId}` : ''}${req.statement ? `;stmt=${req.statement}` : ''}`;
}

/** Parses the header value; null for anything malformed (the request is then refused with 400). */
export function parseSuperviseHeader(value: string): SuperviseRequest | null {
  if (value.length > maxSuperviseHeaderChars) return null;
  const params = new Map<string, string>();
  for (const part of value.split(';')) {
    const [k, v, ...rest] = part.split('=');
    if (!k || v === undefined || rest.length) return null;
    const key = k.trim().toLowerCase();
    // A repeated parameter is ambiguous (which one did the PBX or a proxy keep?): refused.
    if (params.has(key)) return null;
    params.set(key, v.trim());
  }
  const mode = params.get('mode');
  if (mode !== 'listen' && mode !== 'whisper' && mode !== 'barge') return null;
  const callId = params.get('call') ?? null;
  if (callId !== null && !/^[\x21-\x7e]{1,256}$/.test(callId)) return null;
  const statement = params.get('stmt') ?? null;
  if (statement !== null && !statementToken.test(statement)) return null;
  return { mode, callId, statement };
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
  /** The supervisor's signed statement for this change (a repeat of the current mode needs none). */
  stmt: z.string().regex(statementToken).optional(),
  /** In a state: how the agent's app names the supervised call; statements for later changes name it. */
  call: z.string().min(1).max(96).optional(),
  /** In a state: the change just asked for was refused, and why (a B2BUA answers MESSAGE itself). */
  refused: z.string().min(1).max(200).optional(),
});
export type SupervisionInfo = z.infer<typeof supervisionInfoSchema>;

export function parseSupervisionInfo(body: string): SupervisionInfo | null {
  if (body.length > 2048) return null;
  try {
    const parsed = supervisionInfoSchema.safeParse(JSON.parse(body));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
