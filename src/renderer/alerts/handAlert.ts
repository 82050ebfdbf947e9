import { boardStore, type BoardRow } from '../store/boardState';
import { dismissNotice, notify, phoneStore } from '../store/phoneState';

export interface HandAlertDeps {
  chime(): void;
  /** One click from the alert: join the agent's call in listen. */
  join(agent: string): void;
}

interface Shown {
  since: string;
  notification: Notification | null;
}

/**
 * Supervisor side: an agent of the team raised a hand. The row is highlighted by the board itself;
 * this adds a sound, an in-app notice and a desktop notification (granted to the desktop app's own
 * pages; a web page shows one only where the user allowed it), and takes them away when the hand
 * is lowered or the call ends.
 */
export function watchRaisedHands(deps: HandAlertDeps): () => void {
  const shown = new Map<string, Shown>();
  const check = () => {
    const rows = boardStore.get().rows;
    for (const [agent, s] of shown) {
      if (rows[agent]?.hand?.since !== s.since) {
        s.notification?.close();
        clearNoticeFor(rows[agent] ?? null, agent);
        shown.delete(agent);
      }
    }
    for (const row of Object.values(rows)) {
      if (!row.hand || shown.get(row.agent)?.since === row.hand.since) continue;
      shown.set(row.agent, { since: row.hand.since, notification: announce(row, deps) });
    }
  };
  check();
  return boardStore.subscribe(check);
}

function textOf(row: BoardRow): string {
  return `${row.name} (${row.agent.split('@')[0]}) asks for help${row.hand?.reason ? `: ${row.hand.reason}` : ''}`;
}

function announce(row: BoardRow, deps: HandAlertDeps): Notification | null {
  deps.chime();
  notify('warning', textOf(row));
  if (typeof Notification === 'undefined' || Notification.permission !== 'granted') return null;
  try {
    const n = new Notification('Whisperline: an agent asks for help', { body: `${textOf(row)}. Click to listen in.`, tag: `hand-${row.agent}` });
    n.onclick = () => {
      window.focus();
      deps.join(row.agent.split('@')[0]);
      n.close();
    };
    return n;
  } catch {
    return null; // notifications can be switched off by the OS; the board and the sound remain
  }
}

function clearNoticeFor(row: BoardRow | null, agent: string): void {
  const prefix = `${row?.name ?? ''} (${agent.split('@')[0]}) asks for help`;
  for (const n of phoneStore.get().notices) if (n.text.startsWith(prefix)) dismissNotice(n.id);
}
