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

/** Why the app-mixed suites (board, recording, replay) leave FreeSWITCH out for now. */
export const fsLeftOut = 'not run against FreeSWITCH: the team board follows agents by dialog-event and presence subscriptions, which our FreeSWITCH config does not serve yet';

/**
 * One describe block per SIP server, named after it. A server that is not installed is reported as
 * skipped, with the reason printed, never run or counted as passed.
 */
export function describeEachServer(
  title: (server: ServerCase) => string,
  body: (server: ServerCase) => void,
  /** Servers this suite leaves out, each with why (printed as "skipped on <server>: <why>"). */
  leaveOut: Partial<Record<PbxKind, string>> = {},
): void {
  for (const server of servers) {
    const name = title(server);
    const left = leaveOut[server.kind];
    if (left) console.log(`skipped on ${server.name}: "${name}": ${left}`);
    else if (server.skip) console.log(`skipped: "${name}": ${server.skip}`);
    describe.skipIf(server.skip !== null || left !== undefined)(name, () => body(server));
  }
}
