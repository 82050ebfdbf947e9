import { app, BrowserWindow, globalShortcut, Menu, nativeImage, Notification, Tray } from 'electron';
import { ipcChannels, type CallAction, type HostCallState } from '../../shared/bridge';
import { hostTextFor } from '../../shared/i18n/hostText';
import { registerGlobalShortcuts, callShortcuts } from '../shortcuts';
import { CallHost, type MiniWindowLike } from './callHost';
import { IncomingCallNotifier } from './incomingNotifier';
import { TrayPresence } from './trayPresence';

export interface ShellOptions {
  /** The agent's window (the one with the phone), when open. */
  agentWindow(): BrowserWindow | null;
  /** Loads a page of the app into a window: `#/mini` for the mini call window. */
  load(win: BrowserWindow, route: string): void;
  preload: string;
  lockNavigation(win: BrowserWindow): void;
}

/**
 * The Electron side of all-day use: tray, incoming-call notification, the always-on-top mini call
 * window and the agent's system-wide call keys, all driven by one CallHost.
 */
export function createDesktopShell(options: ShellOptions): { host: CallHost; dispose(): void } {
  let mini: BrowserWindow | null = null;
  const miniWindow: MiniWindowLike = {
    isOpen: () => mini !== null && !mini.isDestroyed(),
    open: () => {
      if (miniWindow.isOpen()) return void mini!.focus();
      mini = new BrowserWindow({
        width: 340,
        height: 150,
        resizable: false,
        minimizable: false,
        maximizable: false,
        fullscreenable: false,
        alwaysOnTop: true,
        skipTaskbar: true,
        title: 'Whisperline',
        webPreferences: { preload: options.preload, contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true },
      });
      // 'floating' keeps it above normal windows (the CRM) without covering the OS's own overlays.
      mini.setAlwaysOnTop(true, 'floating');
      mini.setVisibleOnAllWorkspaces(true);
      options.lockNavigation(mini);
      mini.webContents.on('did-finish-load', () => mini && !mini.isDestroyed() && mini.webContents.send(ipcChannels.hostCallState, host.current));
      mini.on('closed', () => {
        mini = null;
        host.refresh();
      });
      options.load(mini, 'mini');
    },
    close: () => mini?.close(),
    send: (state: HostCallState) => mini?.webContents.send(ipcChannels.hostCallState, state),
  };

  const sendToAgent = (action: CallAction, callId: string | null) => options.agentWindow()?.webContents.send(ipcChannels.callAction, action, callId);
  const showAgent = () => {
    const win = options.agentWindow();
    if (!win) return;
    if (win.isMinimized()) win.restore();
    win.show();
    win.focus();
  };

  let tray: TrayPresence | null = null;
  try {
    tray = new TrayPresence({
      tray: new Tray(nativeImage.createEmpty()),
      image: (bitmap, size) => nativeImage.createFromBitmap(bitmap, { width: size, height: size }),
      menu: (template) => Menu.buildFromTemplate(template),
      act: (a) => host.act(a),
      toggleMini: () => host.toggleMini(),
      quit: () => app.quit(),
    });
  } catch (e) {
    // Some Linux desktops have no tray: the window and notifications still work.
    console.warn(`No tray icon: ${(e as Error).message}`);
  }

  const notifier = new IncomingCallNotifier({
    platform: process.platform,
    create: (o) => {
      if (!Notification.isSupported()) throw new Error('notifications are not supported on this desktop');
      return new Notification(o);
    },
    act: (a, callId) => host.act(a, callId),
  });
  const host: CallHost = new CallHost({
    tray,
    notifier,
    mini: miniWindow,
    text: (lang) => hostTextFor(lang, app.getLocale()),
    sendToAgent,
    showAgent,
  });
  host.refresh();

  const keys = registerGlobalShortcuts(globalShortcut, (a: CallAction) => host.act(a), callShortcuts);
  if (keys.taken.length) console.warn(`Another app owns ${keys.taken.join(', ')}: those call keys work only inside Whisperline.`);

  return {
    host,
    dispose: () => {
      keys.dispose();
      tray?.dispose();
      miniWindow.close();
    },
  };
}
