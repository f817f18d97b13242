// kamailio.cfg of one edge. How the edge handles each request:
// - REGISTER: IP phones register their extension at this site (line A at one site, line B at the
//   other). The edge relays the REGISTER to its own site's first available soft switch, which
//   challenges it and checks the digest against the directory (the PhoneMAC's credentials, from the
//   login service), and keeps the registration: FreeSWITCH rings agents' phones itself. A REGISTER
//   no soft switch of this site can take gets 503; the edge keeps no registrations of its own.
// - INVITE to a Trunk number: a carrier's inbound call. The called number (Request-URI user, with or
//   without a leading '+') identifies the Trunk. A caller (From user) matching one of the Trunk's
//   prefix rules (longest first) goes to that site's site-first set; any other caller to the
//   Trunk's split set. The call is then relayed to a soft switch chosen by weight (dispatcher
//   algorithm 9); on timeout or 5xx the failure route marks that soft switch inactive until its
//   OPTIONS probe answers again and tries the next destination of the set. The soft switch is told
//   the Trunk (header X-CC-Trunk) and, when the Trunk names one, its SkillGroup (X-CC-Skill-Group).
// - INVITE from one of the soft switches with X-CC-Transfer-Site: a call the CTI bridge transfers to
//   another site's queue; it goes to that site's site-first set.
// - Everything else: 404.
// - In-dialog requests follow the Record-Route of the edge.
// - Calls in progress are counted per destination site: a carrier call sent to a soft switch is a
//   dialog in profile calls_to_site under the soft switch's site (its dispatcher attribute `site`),
//   moved to the next site when the call fails over there, and out of it once the call ends (BYE, or
//   a final failure). The operator reads the counts over JSON-RPC (dlg.profile_get_size).
// JSON-RPC (jsonrpcs over xhttp) is served only on the RPC listener's port, and SIP only on the SIP
// listener; no FIFO, datagram or ctl socket is opened.
import type { Site } from '../../../crds/types.ts'
import { CALLS_TO_SITE_PROFILE, RENDER_DEFAULTS, RPC_PATH, type EdgeRenderInput } from './model.ts'
import { SKILL_GROUP_HEADER, TRANSFER_SITE_HEADER, TRUNK_HEADER } from '../freeswitch/input.ts'
import type { EdgePlan, TrunkRoute } from './plan.ts'

interface Probing {
  intervalSeconds: number
  failureThreshold: number
  recoveryThreshold: number
}

/** Soft switches are probed on the edge site's heartbeat policy (dispatcher pings in whole seconds). */
export function probingOf(site: Site | undefined): Probing {
  const heartbeat = site?.spec.heartbeat
  return {
    intervalSeconds: Math.max(1, Math.ceil((heartbeat?.intervalMilliseconds ?? 1000) / 1000)),
    failureThreshold: heartbeat?.failureThreshold ?? 2,
    recoveryThreshold: heartbeat?.recoveryThreshold ?? 5,
  }
}

function trunkCase(route: TrunkRoute): string[] {
  const rules = route.prefixRules.map((r) => `${r.prefix} -> ${r.site}`).join(', ')
  const lines = [`\t\t# Trunk ${route.trunk} (${route.carrier}): ${rules ? `callers ${rules}; ` : ''}others split ${route.split}`]
  for (const number of [...route.numbers].sort()) lines.push(`\t\tcase "${number}":`)
  lines.push(`\t\t\tappend_hf("${TRUNK_HEADER}: ${route.trunk}\\r\\n");`)
  if (route.skillGroup !== undefined) lines.push(`\t\t\tappend_hf("${SKILL_GROUP_HEADER}: ${route.skillGroup}\\r\\n");`)
  route.prefixRules.forEach((rule, index) => {
    lines.push(`\t\t\t${index === 0 ? 'if' : 'else if'} ($fU =~ "^${rule.prefix}") $var(dsset) = ${rule.setId};`)
  })
  lines.push(route.prefixRules.length > 0 ? `\t\t\telse $var(dsset) = ${route.splitSetId};` : `\t\t\t$var(dsset) = ${route.splitSetId};`)
  lines.push('\t\t\troute(SOFTSWITCH);', '\t\t\tbreak;')
  return lines
}

function inboundRoute(plan: EdgePlan): string {
  const routes = plan.trunkRoutes.filter((r) => r.numbers.length > 0)
  const body =
    routes.length === 0
      ? ['\t# No Trunk lists inbound numbers: no carrier call is accepted.']
      : [
          '\t$var(called) = $rU;',
          '\tif ($(var(called){s.substr,0,1}) == "+") $var(called) = $(var(called){s.substr,1,0});',
          '\tswitch ($var(called)) {',
          ...routes.flatMap(trunkCase),
          '\t}',
        ]
  return ['route[CARRIER_INBOUND] {', '\tif (!is_method("INVITE")) return;', ...body, '}'].join('\n')
}

function siteTransferRoute(plan: EdgePlan): string {
  const cases = Object.entries(plan.siteSetIds)
    .sort(([a], [b]) => a.localeCompare(b))
    .flatMap(([site, setId]) => [`\t\tcase "${site}":`, `\t\t\t$var(dsset) = ${setId};`, '\t\t\troute(SOFTSWITCH);', '\t\t\tbreak;'])
  return [
    "# A call a soft switch hands to another site's queue: only the soft switches may ask for it.",
    'route[SITE_TRANSFER] {',
    `\tif (!is_method("INVITE") || $hdr(${TRANSFER_SITE_HEADER}) == $null) return;`,
    '\tif (!ds_is_from_list()) {',
    '\t\tsl_send_reply("403", "Only soft switches transfer between sites");',
    '\t\texit;',
    '\t}',
    `\tswitch ($hdr(${TRANSFER_SITE_HEADER})) {`,
    ...cases,
    '\t}',
    '\tsl_send_reply("404", "No such site");',
    '\texit;',
    '}',
  ].join('\n')
}

export function renderKamailioCfg(input: EdgeRenderInput, plan: EdgePlan): string {
  const site = input.sites.find((s) => s.metadata.name === input.site)
  const probing = probingOf(site)
  const { host, sipPort } = input.listen
  const workers = input.workers ?? RENDER_DEFAULTS.workers
  const failoverTimeout = input.failoverTimeoutMilliseconds ?? RENDER_DEFAULTS.failoverTimeoutMilliseconds
  return `#!KAMAILIO
# SIP edge of site ${input.site}. Rendered by the callcenter operator from its Sites and Trunks: do not edit.
#
# Carrier calls are recognised by the called number (a Trunk's spec.numbers) and sent to the soft
# switches through dispatcher sets (see dispatcher.list): by caller prefix to a site first, otherwise
# split by the Trunk's weights, the local site first. A call that times out or gets a 5xx tries the
# next soft switch. IP phones register through here at this site's soft switch.
# Routing changes arrive live over JSON-RPC (http://${input.rpc.host}:${input.rpc.port}${RPC_PATH}).

####### Global parameters #########
debug=2
log_facility=LOG_LOCAL0
log_prefix="{$mt $hdr(CSeq) $ci} "
memdbg=5
memlog=5
children=${workers}
auto_aliases=no
dns=no
rev_dns=no
enable_tls=no
tcp_accept_no_cl=yes
server_signature=no
user_agent_header="User-Agent: callcenter-edge"

# SIP, UDP and TCP, on the configured address only.
listen=udp:${host}:${sipPort}
listen=tcp:${host}:${sipPort}
# JSON-RPC over HTTP for the edge agent.
listen=tcp:${input.rpc.host}:${input.rpc.port}

####### Modules ########
loadmodule "jsonrpcs.so"
loadmodule "kex.so"
loadmodule "tm.so"
loadmodule "tmx.so"
loadmodule "sl.so"
loadmodule "rr.so"
loadmodule "pv.so"
loadmodule "maxfwd.so"
loadmodule "textops.so"
loadmodule "siputils.so"
loadmodule "xlog.so"
loadmodule "xhttp.so"
loadmodule "dispatcher.so"
loadmodule "dialog.so"

# JSON-RPC only over HTTP: no FIFO and no datagram socket.
modparam("jsonrpcs", "transport", 1)

# A soft switch that sends no provisional reply within this time is skipped for the next one.
modparam("tm", "fr_timer", ${failoverTimeout})
modparam("tm", "fr_inv_timer", ${RENDER_DEFAULTS.ringTimeoutMilliseconds})

modparam("rr", "enable_full_lr", 0)
modparam("rr", "append_fromtag", 0)

modparam("dispatcher", "list_file", "${input.dispatcherListPath}")
modparam("dispatcher", "flags", 2)
modparam("dispatcher", "xavp_dst", "_dsdst_")
modparam("dispatcher", "xavp_ctx", "_dsctx_")
# OPTIONS probes of every soft switch on the site's heartbeat policy. A reply that shows the server is up counts,
# even a refusal (403, 404, 405, 501); a timeout (the local 408) or a 5xx such as 503 does not.
modparam("dispatcher", "ds_ping_method", "OPTIONS")
modparam("dispatcher", "ds_ping_from", "sip:edge-${input.site}@${host}:${sipPort}")
modparam("dispatcher", "ds_ping_interval", ${probing.intervalSeconds})
modparam("dispatcher", "ds_probing_mode", 1)
modparam("dispatcher", "ds_probing_threshold", ${probing.failureThreshold})
modparam("dispatcher", "ds_inactive_threshold", ${probing.recoveryThreshold})
modparam("dispatcher", "ds_ping_reply_codes", "class=2;class=3;code=403;code=404;code=405;code=501")

# Calls in progress per destination site, in memory only; a dialog is matched by its Record-Route
# parameter, or by Call-ID and tags.
modparam("dialog", "profiles_with_value", "${CALLS_TO_SITE_PROFILE}")
modparam("dialog", "dlg_match_mode", 1)

####### Routing logic ########
request_route {
	route(REQINIT);

	if (is_method("CANCEL")) {
		if (t_check_trans()) route(RELAY);
		exit;
	}
	if (!is_method("ACK")) {
		if (t_precheck_trans()) {
			t_check_trans();
			exit;
		}
		t_check_trans();
	}

	route(WITHINDLG);

	remove_hf("Route");
	if (is_method("INVITE|SUBSCRIBE")) record_route();

	route(REGISTRAR);

	if ($rU == $null) {
		sl_send_reply("484", "Address Incomplete");
		exit;
	}

	route(SITE_TRANSFER);
	route(CARRIER_INBOUND);
	sl_send_reply("404", "Not Found");
	exit;
}

route[REQINIT] {
	if ($Rp == ${input.rpc.port}) {
		sl_send_reply("403", "Not a SIP port");
		exit;
	}
	if (!mf_process_maxfwd_header("10")) {
		sl_send_reply("483", "Too Many Hops");
		exit;
	}
	if (is_method("OPTIONS") && uri == myself && $rU == $null) {
		sl_send_reply("200", "Keepalive");
		exit;
	}
}

route[RELAY] {
	if (!t_relay()) sl_reply_error();
	exit;
}

route[WITHINDLG] {
	if (!has_totag()) return;
	if (loose_route()) {
		route(RELAY);
		exit;
	}
	if (is_method("ACK")) {
		if (t_check_trans()) route(RELAY);
		exit;
	}
	sl_send_reply("404", "Not here");
	exit;
}

# Phones register at this site's own soft switch, the first available by priority: another site's
# directory does not know this site's extensions.
route[REGISTRAR] {
	if (!is_method("REGISTER")) return;
	if (!ds_select_dst("${plan.siteSetIds[input.site] ?? 0}", "8") || $(xavp(_dsdst_=>attrs){param.value,site}) != "${input.site}") {
		sl_send_reply("503", "No soft switch of this site is available");
		exit;
	}
	route(RELAY);
}

${siteTransferRoute(plan)}

${inboundRoute(plan)}

# Relays the call to a soft switch of dispatcher set $var(dsset).
route[SOFTSWITCH] {
	if (!ds_select_dst("$var(dsset)", "9")) {
		xlog("L_WARN", "no soft switch of set $var(dsset) is available for $rU from $fU\\n");
		sl_send_reply("503", "No soft switch available");
		exit;
	}
	dlg_manage();
	route(COUNT_CALL);
	t_on_failure("SOFTSWITCH_FAILOVER");
	route(RELAY);
}

# The call counts in progress to the site of the soft switch it is sent to now ($avp(callsite): the site it
# counted for before a failover).
route[COUNT_CALL] {
	if ($avp(callsite) != $null) unset_dlg_profile("${CALLS_TO_SITE_PROFILE}", "$avp(callsite)");
	$avp(callsite) = $(xavp(_dsdst_=>attrs){param.value,site});
	set_dlg_profile("${CALLS_TO_SITE_PROFILE}", "$avp(callsite)");
}

# Per-call failover: the soft switch timed out without answering or replied 5xx.
failure_route[SOFTSWITCH_FAILOVER] {
	if (t_is_canceled()) exit;
	if (t_check_status("5[0-9][0-9]") || (t_branch_timeout() && !t_branch_replied())) {
		xlog("L_NOTICE", "soft switch $du failed ($T_reply_code), trying the next one\\n");
		ds_mark_dst("ip");
		if (ds_next_dst()) {
			route(COUNT_CALL);
			t_on_failure("SOFTSWITCH_FAILOVER");
			route(RELAY);
		}
	}
}

# JSON-RPC over HTTP, on the RPC listener only.
event_route[xhttp:request] {
	if ($Rp != ${input.rpc.port}) {
		xhttp_reply("403", "Forbidden", "text/plain", "not an RPC port\\n");
		exit;
	}
	if ($hu =~ "^${RPC_PATH}") {
		jsonrpc_dispatch();
		exit;
	}
	xhttp_reply("404", "Not Found", "text/plain", "the JSON-RPC endpoint is ${RPC_PATH}\\n");
}
`
}
