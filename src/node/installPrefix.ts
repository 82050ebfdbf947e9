import { statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

/**
 * Where a server built outside the repository (Asterisk, FreeSWITCH) is installed: the environment
 * variable `envName` (an install prefix, or the binary itself), else `defaultPrefix`. `where` is
 * what to name in messages, `hint` how to point at another install.
 */
export function installPrefix(env: NodeJS.ProcessEnv, envName: string, defaultPrefix: string, binaryPath: string, product: string) {
  const given = env[envName]?.trim();
  const hint = given ? `(${envName} must name a ${product} install prefix or its ${binaryPath})` : `(set ${envName} to an install prefix)`;
  let prefix = resolve(given || defaultPrefix);
  // The binary itself: its prefix is two levels up (prefix/sbin/asterisk, prefix/bin/freeswitch).
  if (isFile(prefix) && basename(prefix) === basename(binaryPath)) prefix = dirname(dirname(prefix));
  return { prefix, binary: join(prefix, binaryPath), where: given || prefix, hint };
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}
