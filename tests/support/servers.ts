import { describe } from 'vitest';
import { findAsterisk } from '../../src/node/asteriskServer';
import { findFreeswitch } from '../../src/node/freeswitchServer';
import type { PbxKind } from '../../src/node/pbx';

export interface ServerCase {
  kind: PbxKind;
  /** As it appears in test names. */
  name: string;
  /** Why this server's tests cannot run here, or null. */
  skip: string | null;
}

export const asterisk = findAsterisk();
export const freeswitch = findFreeswitch();

export const servers: ServerCase[] = [
  { kind: 'kamailio', name: 'Kamailio', skip: null },
  { kind: 'asterisk', name: 'Asterisk', skip: asterisk.found ? null : asterisk.reason },
  { kind: 'freeswitch', name: 'FreeSWITCH', skip: freeswitch.found ? null : freeswitch.reason },
];

/**
 * One describe block per SIP server, named after it. A server that is not installed is reported as
 * skipped, with the reason printed, never run or counted as passed.
 */
export function describeEachServer(title: (server: ServerCase) => string, body: (server: ServerCase) => void): void {
  for (const server of servers) {
    const name = title(server);
    if (server.skip) console.log(`skipped: "${name}": ${server.skip}`);
    describe.skipIf(server.skip !== null)(name, () => body(server));
  }
}
