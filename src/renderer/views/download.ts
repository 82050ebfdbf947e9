/**
 * Saves in-memory data as a file the browser way (Electron shows its save dialog): a Blob URL on a
 * temporary link, freed once the download has it.
 */
export function downloadBlob(parts: BlobPart[], fileName: string, type: string): void {
  const url = URL.createObjectURL(new Blob(parts, { type }));
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

/** Text with a UTF-8 byte-order mark first, or Excel reads "Müller" as "MÃ¼ller". */
export function downloadText(text: string, fileName: string, type = 'text/csv;charset=utf-8'): void {
  downloadBlob(['\uFEFF', text], fileName, type);
}

export function downloadBytes(bytes: Uint8Array, fileName: string, type = 'application/zip'): void {
  downloadBlob([bytes.slice()], fileName, type);
}
