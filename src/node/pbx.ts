import { startAsteriskServer, type AsteriskServerOptions } from './asteriskServer';
import { startFreeswitchServer, type FreeswitchServerOptions } from './freeswitchServer';
import { startSipServer, type SipServer, type SipServerOptions } from './sipServer';

/** The SIP servers Whisperline is tested against: Kamailio (proxy: media peer to peer), Asterisk and FreeSWITCH (B2BUAs: media anchored). */
export type PbxKind = 'kamailio' | 'asterisk' | 'freeswitch';

export type PbxOptions = SipServerOptions & Omit<AsteriskServerOptions, keyof SipServerOptions> & Omit<FreeswitchServerOptions, keyof SipServerOptions | keyof AsteriskServerOptions>;

export function startPbx(kind: PbxKind, options: PbxOptions): Promise<SipServer> {
  if (kind === 'asterisk') return startAsteriskServer(options);
  if (kind === 'freeswitch') return startFreeswitchServer(options);
  return startSipServer(options);
}
