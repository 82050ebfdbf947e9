import { startAsteriskServer, type AsteriskServerOptions } from './asteriskServer';
import { startSipServer, type SipServer, type SipServerOptions } from './sipServer';

/** The SIP servers Whisperline is tested against: Kamailio (proxy: media peer to peer) and Asterisk (B2BUA: media anchored). */
export type PbxKind = 'kamailio' | 'asterisk';

export type PbxOptions = SipServerOptions & Omit<AsteriskServerOptions, keyof SipServerOptions>;

export function startPbx(kind: PbxKind, options: PbxOptions): Promise<SipServer> {
  return kind === 'asterisk' ? startAsteriskServer(options) : startSipServer(options);
}
