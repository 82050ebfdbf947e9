import * as fsp from 'node:fs/promises';

/**
 * fsync a folder, so a file just created or renamed in it survives a power cut (Linux/macOS).
 * Windows cannot open folders for this; NTFS journals names itself. Some file systems refuse a
 * folder fsync (EINVAL and the like): there is nothing more to do then.
 */
export async function fsyncFolder(dir: string, fs: Pick<typeof fsp, 'open'> = fsp): Promise<void> {
  if (process.platform === 'win32') return;
  let fh: Awaited<ReturnType<typeof fsp.open>> | null = null;
  try {
    fh = await fs.open(dir, 'r');
    await fh.sync();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'EINVAL' && code !== 'EISDIR' && code !== 'EPERM' && code !== 'EBADF') throw e;
  } finally {
    await fh?.close();
  }
}
