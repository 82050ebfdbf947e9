import type { CallAction, HostCallState } from '../../shared/bridge';
import type { HostText } from '../../shared/i18n/hostText';

/** One entry of the tray's menu: an action for the agent's window, a host command, or a label. */
export type TrayItem =
  | { kind: 'label'; label: string }
  | { kind: 'action'; label: string; action: CallAction }
  | { kind: 'mini'; label: string; checked: boolean }
  | { kind: 'quit'; label: string }
  | { kind: 'separator' };

export type TrayColour = 'green' | 'amber' | 'red' | 'grey' | 'blue';

export interface TrayModel {
  tooltip: string;
  colour: TrayColour;
  items: TrayItem[];
}

/** What the tray shows for a call state: pure, so every state is tested without a desktop. */
export function trayModel(s: HostCallState, text: HostText, miniOpen: boolean): TrayModel {
  const reg = text(s.registration);
  const status = s.agentState && s.registration === 'registered' ? `${reg} · ${text(s.agentState)}` : reg;
  const items: TrayItem[] = [{ kind: 'label', label: status }];
  let line = status;
  if (s.incoming) {
    line = text('incomingFrom', { caller: s.incoming.caller });
    items.push({ kind: 'separator' }, { kind: 'label', label: line });
    items.push({ kind: 'action', label: text('answer'), action: 'answer' }, { kind: 'action', label: text('decline'), action: 'decline' });
  }
  if (s.active) {
    const on = text(s.active.onHold ? 'onHoldWith' : 'onCallWith', { peer: s.active.peer });
    if (!s.incoming) line = on;
    items.push({ kind: 'separator' }, { kind: 'label', label: on });
    items.push({ kind: 'action', label: text('hangup'), action: 'hangup' });
    if (!s.active.onHold) items.push({ kind: 'action', label: text(s.active.muted ? 'unmute' : 'mute'), action: 'toggle-mute' });
    if (s.active.connectedAt !== null) items.push({ kind: 'action', label: text(s.active.onHold ? 'resume' : 'hold'), action: 'toggle-hold' });
  }
  items.push(
    { kind: 'separator' },
    { kind: 'action', label: text('show'), action: 'show' },
    { kind: 'mini', label: text('mini'), checked: miniOpen },
    { kind: 'separator' },
    { kind: 'quit', label: text('quit') },
  );
  const colour: TrayColour =
    s.incoming ? 'blue' : s.active ? (s.active.onHold ? 'amber' : 'green') : s.registration === 'error' ? 'red' : s.registration !== 'registered' ? 'grey' : s.agentState === 'ready' || s.agentState === null ? 'green' : 'amber';
  return { tooltip: `${text('appName')} — ${line}`, colour, items };
}

const rgb: Record<TrayColour, [number, number, number]> = {
  green: [0x1b, 0x8a, 0x4c],
  amber: [0xc2, 0x6a, 0x08],
  red: [0xc6, 0x28, 0x28],
  grey: [0x75, 0x75, 0x75],
  blue: [0x3b, 0x4c, 0xca],
};

/**
 * A filled circle as raw BGRA pixels (Electron's nativeImage.createFromBitmap): drawn here so the
 * tray needs no image files per state, with a soft edge so it is not jagged at 16 px.
 */
export function trayIconBitmap(colour: TrayColour, size: number): Buffer {
  const buf = Buffer.alloc(size * size * 4);
  const [r, g, b] = rgb[colour];
  const c = (size - 1) / 2;
  const radius = size / 2 - 0.5;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const d = Math.hypot(x - c, y - c);
      const alpha = Math.max(0, Math.min(1, radius - d + 0.5));
      const i = (y * size + x) * 4;
      buf[i] = b;
      buf[i + 1] = g;
      buf[i + 2] = r;
      buf[i + 3] = Math.round(alpha * 255);
    }
  }
  return buf;
}

/** Electron's Tray and Menu, as far as we use them (replaced in tests). */
export interface TrayLike {
  setToolTip(text: string): void;
  setImage(image: unknown): void;
  setContextMenu(menu: unknown): void;
  on(event: 'click', listener: () => void): unknown;
  destroy(): void;
}

export interface TrayDeps {
  tray: TrayLike;
  /** nativeImage.createFromBitmap with the size. */
  image(bitmap: Buffer, size: number): unknown;
  /** Menu.buildFromTemplate over items with click handlers. */
  menu(template: Array<{ label?: string; type?: 'separator' | 'checkbox' | 'normal'; enabled?: boolean; checked?: boolean; click?: () => void }>): unknown;
  act(action: CallAction): void;
  toggleMini(): void;
  quit(): void;
}

/** The tray icon: its colour, tooltip and menu follow the call state; a click shows the window. */
export class TrayPresence {
  private last = '';

  constructor(private readonly deps: TrayDeps) {
    deps.tray.on('click', () => deps.act('show'));
  }

  update(model: TrayModel): void {
    const key = JSON.stringify(model);
    if (key === this.last) return; // menus rebuilt on every publish flicker on some Linux desktops
    this.last = key;
    const { tray } = this.deps;
    tray.setToolTip(model.tooltip);
    tray.setImage(this.deps.image(trayIconBitmap(model.colour, 32), 32));
    tray.setContextMenu(this.deps.menu(model.items.map((item) => this.menuItem(item))));
  }

  private menuItem(item: TrayItem) {
    switch (item.kind) {
      case 'separator':
        return { type: 'separator' as const };
      case 'label':
        return { label: item.label, enabled: false };
      case 'action':
        return { label: item.label, click: () => this.deps.act(item.action) };
      case 'mini':
        return { label: item.label, type: 'checkbox' as const, checked: item.checked, click: () => this.deps.toggleMini() };
      case 'quit':
        return { label: item.label, click: () => this.deps.quit() };
    }
  }

  dispose(): void {
    this.deps.tray.destroy();
  }
}
