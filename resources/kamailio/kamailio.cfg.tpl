#!KAMAILIO
# Whisperline's local SIP server: registrar + proxy with SIP over WebSocket on loopback.
# Rendered by src/node/sipServer.ts, which fills the {{...}} fields; tests and the demo share it.

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
listen=tcp:127.0.0.1:{{PORT}}
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

modparam("usrloc", "db_mode", 0)
modparam("registrar", "max_expires", 600)
modparam("registrar", "min_expires", 10)
modparam("rr", "append_fromtag", 1)
# accounts: auth user -> password. wsconn: SIP.js contact user -> the WebSocket it last registered from.
modparam("htable", "htable", "accounts=>size=6;")
modparam("htable", "htable", "wsconn=>size=8;")
modparam("websocket", "keepalive_mechanism", 1)
modparam("websocket", "keepalive_timeout", 30)

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
	route(AUTH);
	remove_hf("Route");
	if (is_method("INVITE|SUBSCRIBE|REFER")) {
		record_route();
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
	if (loose_route()) {
		route(WSTARGET);
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
		} else {
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
	route(RELAY);
}

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
