import type { Availability } from '../../shared/presence/agentState';
import type { CallActivity } from '../../shared/presence/dialogInfo';
import type { MixMode } from '../../shared/supervision/modes';
import { createStore } from './createStore';

/** One agent on the supervisor's team board, as SIP last told it. */
export interface BoardRow {
  /** `user@domain`, as the org policy names the agent. */
  agent: string;
  name: string;
  teams: string[];
  /** Signed in (presence open); null until the server or the agent's app has said. */
  signedIn: boolean | null;
  /** From the agent's app; null when only the PBX's device state is known. */
  availability: Availability | null;
  activity: CallActivity;
  /** When the current call was answered (ms): the agent's app's word, else when the board saw it. */
  callSince: number | null;
  supervision: { by: string; mode: MixMode } | null;
  hand: { reason: string; since: string } | null;
  /** The subscriptions for this row: being set up, live, or failing (with why). */
  watch: { state: 'subscribing' | 'live' | 'failed'; reason?: string };
  /** When a SIP event last changed this row (performance.now() ms), for the board benchmark. */
  changedAt: number;
}

export interface BoardState {
  rows: Record<string, BoardRow>;
}

export const boardStore = createStore<BoardState>({ rows: {} });

export function patchRow(agent: string, patch: Partial<BoardRow> | ((row: BoardRow) => Partial<BoardRow>)): void {
  boardStore.update((s) => {
    const row = s.rows[agent];
    if (!row) return s;
    const p = typeof patch === 'function' ? patch(row) : patch;
    return { rows: { ...s.rows, [agent]: { ...row, ...p, changedAt: performance.now() } } };
  });
}
