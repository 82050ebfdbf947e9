#!KAMAILIO
# Whisperline's local SIP server: registrar + proxy with SIP over WebSocket on loopback.
# Rendered by src/node/sipServer.ts, which fills the {{...}} fields; tests and the demo share it.
# Also a presence server (RFC 3856 presence, RFC 4235 dialog events) for the supervisors' team
# board: subscriptions and publications live in memory (the db_text folder is only read at start).
# Clients connect with ws:// or, with the launcher's `tls` option, wss:// (SIP over WebSocket over
# TLS, a throwaway self-signed certificate for loopback).
# With the launcher's `rtpengine` option it also listens on plain SIP/UDP (a trunk-style client
# such as a PSTN gateway or baresip, sending plain RTP G.711) and bridges the media of calls
# between a WebSocket client (WebRTC: ICE, DTLS-SRTP, AVPF, rtcp-mux) and a UDP client (RTP/AVP)
# through rtpengine. Calls between two WebSocket clients stay peer to peer, as without the option.
{{DEFINES}}

debug={{DEBUG_LEVEL}}
log_stderror=yes
log_prefix="{$mt} "
children=2
tcp_children=2
auto_aliases=no
dns=no
rev_dns=no
dns_try_ipv6=no
use_dns_cache=no
{{SIP_LISTEN}}
# Where pua_dialoginfo sends its own PUBLISHes of call state (they skip digest auth, so only this
# socket accepts them unauthenticated).
listen=tcp:127.0.0.1:{{PUA_PORT}}
#!ifdef WITH_RTPENGINE
listen=udp:127.0.0.1:{{UDP_PORT}}
#!endif
alias="{{DOMAIN}}"
tcp_accept_no_cl=yes
tcp_connection_lifetime=3605
tcp_rd_buf_size=16384

loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "rr.so"
loadmodule "pv.so"
loadmodule "kex.so"
loadmodule "corex.so"
loadmodule "maxfwd.so"
loadmodule "usrloc.so"
loadmodule "registrar.so"
loadmodule "textops.so"
loadmodule "siputils.so"
loadmodule "xlog.so"
loadmodule "sanity.so"
loadmodule "auth.so"
loadmodule "htable.so"
loadmodule "xhttp.so"
loadmodule "websocket.so"
{{TLS_MODULE}}
loadmodule "nathelper.so"
loadmodule "db_text.so"
loadmodule "dialog.so"
loadmodule "presence.so"
loadmodule "presence_xml.so"
loadmodule "presence_dialoginfo.so"
loadmodule "pua.so"
loadmodule "pua_dialoginfo.so"
#!ifdef WITH_RTPENGINE
loadmodule "rtpengine.so"
modparam("rtpengine", "rtpengine_sock", "udp:127.0.0.1:{{RTPENGINE_NG_PORT}}")
#!endif

modparam("usrloc", "db_mode", 0)
modparam("registrar", "max_expires", 600)
modparam("registrar", "min_expires", 10)
modparam("rr", "append_fromtag", 1)
# accounts: auth user -> password. wsconn: SIP.js contact user -> the WebSocket it last registered from.
modparam("htable", "htable", "accounts=>size=6;")
modparam("htable", "htable", "wsconn=>size=8;")
modparam("websocket", "keepalive_mechanism", 1)
modparam("websocket", "keepalive_timeout", 30)
# Presence: state in memory only (subs_db_mode 0, publ_cache 2, pua db_mode 0).
modparam("presence", "db_url", "text://{{DBDIR}}")
modparam("presence", "subs_db_mode", 0)
modparam("presence", "publ_cache", 2)
modparam("presence", "max_expires", 3600)
modparam("presence", "min_expires", 10)
modparam("presence_xml", "db_url", "text://{{DBDIR}}")
# No XCAP here: every watcher is authorised (who may see whom is the org policy's, in the apps).
modparam("presence_xml", "force_active", 1)
modparam("presence_dialoginfo", "force_single_dialog", 0)
modparam("presence_dialoginfo", "force_dummy_dialog", 1)
modparam("pua", "db_url", "text://{{DBDIR}}")
modparam("pua", "db_mode", 0)
modparam("pua", "outbound_proxy", "sip:127.0.0.1:{{PUA_PORT}};transport=tcp")
modparam("dialog", "default_timeout", 7200)
modparam("pua_dialoginfo", "include_localremote", 1)
modparam("pua_dialoginfo", "override_lifetime", 7300)

#!ifdef WITH_RTPENGINE
# Message flags (kept by tm for the transaction's replies): this request's SDP crosses between a
# WebSocket client and a UDP client (FLT_BRIDGE), and it goes to the WebSocket side (FLT_TOWS).
#!define FLT_BRIDGE 5
#!define FLT_TOWS 6
# What rtpengine makes of an SDP body, by who receives it. A WebRTC peer gets ICE (rtpengine's
# own candidates, on loopback), DTLS-SRTP with rtpengine in the passive role (the browser starts
# the handshake), AVPF with RTCP multiplexed on the RTP port, and an a=mid; no SDES keys (WebRTC
# uses DTLS only). A plain SIP peer gets RTP/AVP: no ICE, no crypto, RTCP on its own port. (Not
# DTLS=off there: that turns DTLS off for the whole call, the WebRTC side too, which then never
# gets its DTLS-SRTP keys: "SRTP output wanted, but no crypto suite was negotiated".)
# trust-address: use the addresses in the SDP (all loopback here), not the SIP message's source.
# replace-origin / replace-session-connection: o= and c= name rtpengine, which now carries the media.
#!define RTPE_OFFER_TO_WS "trust-address replace-origin replace-session-connection ICE=force DTLS=passive UDP/TLS/RTP/SAVPF SDES-off rtcp-mux-require generate-mid"
# An answer to a WebRTC offerer keeps the offerer's own protocol (UDP/TLS/RTP/SAVPF): naming one
# there (RTP/SAVPF) made rtpengine expect SDES keys, and SDES-off left none ("SRTP output wanted,
# but no crypto suite was negotiated": the browser's DTLS never completed).
#!define RTPE_ANSWER_TO_WS "trust-address replace-origin replace-session-connection ICE=force DTLS=passive SDES-off"
#!define RTPE_TO_UDP "trust-address replace-origin replace-session-connection ICE=remove RTP/AVP SDES-off rtcp-mux-demux"
#!endif

event_route[htable:mod-init] {
{{ACCOUNTS}}
}

event_route[xhttp:request] {
	set_reply_close();
	set_reply_no_connect();
	if ($hdr(Upgrade) =~ "websocket" && $hdr(Connection) =~ "Upgrade" && $rm =~ "GET") {
		if (ws_handle_handshake()) {
			exit;
		}
	}
	xhttp_reply("404", "Not Found", "", "");
}

request_route {
	if (!mf_process_maxfwd_header("10")) {
		sl_send_reply("483", "Too Many Hops");
		exit;
	}
	# sanity_check answers malformed requests itself (400 and friends).
	if (!sanity_check("17895", "7")) {
		xlog("L_WARN", "malformed $rm from $si:$sp dropped\n");
		exit;
	}
	if (is_method("OPTIONS") && uri == myself && $rU == $null) {
		sl_send_reply("200", "Keepalive");
		exit;
	}
	if (has_totag()) {
		route(WITHINDLG);
		exit;
	}
	if (is_method("CANCEL")) {
		if (t_check_trans()) {
			route(RELAY);
		}
		exit;
	}
	if (is_method("ACK")) {
		if (t_check_trans()) {
			t_relay();
		}
		exit;
	}
	t_check_trans();
	if (is_method("PUBLISH") && $Rp == {{PUA_PORT}} && $hdr(Event) =~ "^dialog") {
		route(PRESENCE);
	}
	route(AUTH);
	remove_hf("Route");
	if (is_method("PUBLISH|SUBSCRIBE")) {
		if (is_method("PUBLISH") && $au != $tU) {
			sl_send_reply("403", "Publish Only Your Own State");
			exit;
		}
		route(PRESENCE);
	}
	if (is_method("INVITE|REFER")) {
		record_route();
	}
	# Call state for dialog subscribers (pua_dialoginfo). A supervision leg is not a call of the
	# agent's: the agent's app publishes who supervises it.
	if (is_method("INVITE") && !is_present_hf("X-Whisperline-Supervise")) {
		dlg_manage();
	}
	if (is_method("REGISTER")) {
		route(REGISTRAR);
		exit;
	}
	if ($rU == $null) {
		sl_send_reply("484", "Address Incomplete");
		exit;
	}
	route(LOCATION);
}

route[RELAY] {
	if (!t_relay()) {
		sl_reply_error();
	}
	exit;
}

route[WITHINDLG] {
	# Refreshing or ending a subscription: ours (presence answers without Record-Route).
	if (is_method("SUBSCRIBE") && uri == myself) {
		route(PRESENCE);
	}
	if (loose_route()) {
		route(WSTARGET);
#!ifdef WITH_RTPENGINE
		route(MEDIA_INDIALOG);
#!endif
		route(RELAY);
		exit;
	}
	if (is_method("ACK")) {
		if (t_check_trans()) {
			t_relay();
		}
		exit;
	}
	sl_send_reply("404", "Not here");
	exit;
}

route[AUTH] {
	if (!is_present_hf("Authorization") && !is_present_hf("Proxy-Authorization")) {
		auth_challenge("$fd", "1");
		exit;
	}
	if ($sht(accounts=>$au) == $null) {
		sl_send_reply("403", "Unknown user");
		exit;
	}
	$var(rc) = pv_auth_check("$fd", "$sht(accounts=>$au)", "0", "1");
	if ($var(rc) == -2) {
		sl_send_reply("403", "Wrong password");
		exit;
	}
	if ($var(rc) < 0) {
		auth_challenge("$fd", "1");
		exit;
	}
	consume_credentials();
}

route[REGISTRAR] {
	if (!save("location")) {
		sl_reply_error();
		exit;
	}
	$var(cuser) = $(ct{nameaddr.uri}{uri.user});
	if ($var(cuser) != $null && $var(cuser) != "") {
		if ($hdr(Expires) == "0" || $(ct{param.value,expires}) == "0") {
			$sht(wsconn=>$var(cuser)) = $null;
		} else if ($proto =~ "^wss?$") {
			# transport=ws for wss too: Kamailio finds the open connection by address and frames over it.
			$sht(wsconn=>$var(cuser)) = "sip:" + $si + ":" + $sp + ";transport=ws";
		}
	}
	exit;
}

route[LOCATION] {
	# Attended transfer targets a UA's contact directly (Refer-To: its Contact with Replaces).
	if ($rd =~ "\.invalid$") {
		route(WSTARGET);
		route(RELAY);
	}
	if (!lookup("location")) {
		sl_send_reply("480", "Temporarily Unavailable");
		exit;
	}
	t_on_branch("WSBRANCH");
	route(WSTARGET);
#!ifdef WITH_RTPENGINE
	route(MEDIA_OFFER);
#!endif
	route(RELAY);
}

#!ifdef WITH_RTPENGINE
# SDP crossing between a WebSocket client and a UDP client goes through rtpengine; between two
# clients of the same kind it is left alone (WebRTC stays peer to peer). SIP.js contacts (the
# WebSocket side) are <random>@<random>.invalid; a UDP client's contact is its own address.
route[MEDIA_OFFER] {
	if (!is_method("INVITE") || !has_body("application/sdp")) return;
	$var(fromws) = 0;
	if ($proto =~ "^wss?$") $var(fromws) = 1;
	$var(tows) = 0;
	if ($rd =~ "\.invalid$") $var(tows) = 1;
	if ($var(fromws) == $var(tows)) return;
	setflag(FLT_BRIDGE);
	add_rr_param(";rtpe=1");
	if ($var(tows) == 1) {
		setflag(FLT_TOWS);
		$var(ok) = rtpengine_offer(RTPE_OFFER_TO_WS);
	} else {
		$var(ok) = rtpengine_offer(RTPE_TO_UDP);
	}
	if ($var(ok) < 0) {
		xlog("L_ERR", "rtpengine refused the offer of $ci\n");
		sl_send_reply("503", "Media Relay Unavailable");
		exit;
	}
	t_on_reply("MEDIA_REPLY");
	t_on_failure("MEDIA_FAILED");
}

# Within a bridged dialog (marked on its Record-Route): new offers (hold, resume, the app's
# re-offer), late answers in an ACK, and the end of the call.
route[MEDIA_INDIALOG] {
	if (!check_route_param("rtpe=1")) return;
	if (is_method("BYE")) {
		rtpengine_delete();
		return;
	}
	if (!has_body("application/sdp")) return;
	$var(tows) = 0;
	if ($rd =~ "\.invalid$") $var(tows) = 1;
	if (is_method("INVITE|UPDATE")) {
		setflag(FLT_BRIDGE);
		if ($var(tows) == 1) {
			setflag(FLT_TOWS);
			rtpengine_offer(RTPE_OFFER_TO_WS);
		} else {
			rtpengine_offer(RTPE_TO_UDP);
		}
		t_on_reply("MEDIA_REPLY");
	} else if (is_method("ACK")) {
		if ($var(tows) == 1) rtpengine_answer(RTPE_ANSWER_TO_WS);
		else rtpengine_answer(RTPE_TO_UDP);
	}
}

# The answer travels back to whoever sent the offer: the other side from the one it was sent to.
onreply_route[MEDIA_REPLY] {
	if (!isflagset(FLT_BRIDGE) || !has_body("application/sdp")) return;
	if (status =~ "^(18[0-9]|2[0-9][0-9])$") {
		if (isflagset(FLT_TOWS)) rtpengine_answer(RTPE_TO_UDP);
		else rtpengine_answer(RTPE_ANSWER_TO_WS);
	}
}

failure_route[MEDIA_FAILED] {
	rtpengine_delete();
}
#!endif

# SIP.js contacts are <random>@<random>.invalid: route them to the WebSocket that contact last
# registered from, so a UA that reconnected after a server restart is reached on its new socket.
route[WSTARGET] {
	if ($rd =~ "\.invalid$") {
		if ($sht(wsconn=>$rU) == $null) {
			sl_send_reply("480", "Contact not connected");
			exit;
		}
		$du = $sht(wsconn=>$rU);
	}
}

branch_route[WSBRANCH] {
	if ($rd =~ "\.invalid$") {
		if ($sht(wsconn=>$rU) == $null) {
			drop();
		}
		$du = $sht(wsconn=>$rU);
	}
}

# SUBSCRIBE and PUBLISH are answered here. A NOTIFY is a new request to the subscriber's Contact;
# a SIP.js Contact (<random>@<random>.invalid;transport=ws) is rewritten to where the SUBSCRIBE
# came from, so the NOTIFY goes back over the subscriber's open WebSocket.
route[PRESENCE] {
	if (is_method("SUBSCRIBE") && $proto =~ "^wss?$") {
		fix_nated_contact();
	}
	if (!t_newtran()) {
		sl_reply_error();
		exit;
	}
	if (is_method("PUBLISH")) {
		handle_publish();
	} else {
		handle_subscribe();
	}
	t_release();
	exit;
}
