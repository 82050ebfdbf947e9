import { boardStore, type BoardRow } from '../store/boardState';
import { dismissNotice, notify, phoneStore } from '../store/phoneState';

export interface HandAlertDeps {
  chime(): void;
  /** One click from the alert: join the agent's call in listen. */
  join(agent: string): void;
}

interface Shown {
  since: string;
  /** The in-app notice's text (notices are keyed by text). */
  text: string;
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
        for (const n of phoneStore.get().notices) if (n.text === s.text) dismissNotice(n.id);
        shown.delete(agent);
      }
    }
    for (const row of Object.values(rows)) {
      if (!row.hand || shown.get(row.agent)?.since === row.hand.since) continue;
      const text = textOf(row);
      shown.set(row.agent, { since: row.hand.since, text, notification: announce(row, text, deps) });
    }
  };
  check();
  return boardStore.subscribe(check);
}

function textOf(row: BoardRow): string {
  return `${row.name} (${row.agent.split('@')[0]}) asks for help${row.hand?.reason ? `: ${row.hand.reason}` : ''}`;
}

function announce(row: BoardRow, text: string, deps: HandAlertDeps): Notification | null {
  deps.chime();
  notify('warning', text);
  if (typeof Notification === 'undefined' || Notification.permission !== 'granted') return null;
  try {
    const n = new Notification('Whisperline: an agent asks for help', { body: `${text}. Click to listen in.`, tag: `hand-${row.agent}` });
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
