/**
 * Saves text as a file the browser way (Electron shows its save dialog): a Blob URL on a temporary
 * link, freed once the download has it. A UTF-8 byte-order mark first, or Excel reads "Müller" as
 * "MÃ¼ller".
 */
export function downloadText(text: string, fileName: string, type = 'text/csv;charset=utf-8'): void {
  const url = URL.createObjectURL(new Blob(['\uFEFF', text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.rel = 'noopener';
  a.style.display = 'none';
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
