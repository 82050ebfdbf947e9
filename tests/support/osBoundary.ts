/**
 * What the operating system decides for a page, replaced so a test can set it: whether the window
 * has the focus (Playwright reports every page as focused), and the notifications the browser shows
 * (recorded; the real Notification is still created). Installed with `context.addInitScript`.
 */
export function osBoundary(): void {
  const w = window as unknown as {
    __osFocus: boolean;
    __notifications: Array<{ title: string; body: string; closed: boolean; click(): void }>;
  };
  w.__osFocus = true;
  Document.prototype.hasFocus = () => w.__osFocus;
  const Real = window.Notification;
  if (!Real) return;
  w.__notifications = [];
  const Recorded = function (this: unknown, title: string, options?: NotificationOptions) {
    const note = new Real(title, options);
    const entry = { title, body: options?.body ?? '', closed: false, click: () => note.onclick?.call(note, new Event('click')) };
    const close = note.close.bind(note);
    note.close = () => {
      entry.closed = true;
      close();
    };
    w.__notifications.push(entry);
    return note;
  } as unknown as typeof Notification;
  Object.defineProperty(Recorded, 'permission', { get: () => Real.permission });
  Object.defineProperty(Recorded, 'requestPermission', { value: (cb?: NotificationPermissionCallback) => Real.requestPermission(cb) });
  window.Notification = Recorded;
}
