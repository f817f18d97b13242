// What the Kamailio renderer needs besides the Sites and Trunks: the facts the operator resolves
// (which site this edge serves, where it listens, where each site's soft switches are).
import type { Site, Trunk } from '../../../crds/types.ts'

/** One soft switch a dispatcher set can send calls to. External sites: spec.components.softswitch.external.servers; Managed: pod or Service addresses. */
export interface SoftswitchAddress {
  name: string
  host: string
  port: number
}

export interface EdgeRenderInput {
  /** The Site this edge belongs to: its soft switches come first when a trunk is local-first. */
  site: string
  sites: readonly Site[]
  trunks: readonly Trunk[]
  /** Resolved soft-switch addresses of every site, by site name. */
  softswitches: Readonly<Record<string, readonly SoftswitchAddress[]>>
  /** Address and port the edge takes SIP on (UDP and TCP); nothing else is bound for SIP. */
  listen: { host: string; sipPort: number }
  /** Address and port of the JSON-RPC over HTTP listener (xhttp + jsonrpcs) the edge agent uses. */
  rpc: { host: string; port: number }
  /** Where kamailio reads its dispatcher list; the edge agent rewrites this file and asks for a reload. */
  dispatcherListPath: string
  /** SIP worker processes per listener. */
  workers?: number
  /** How long a soft switch may stay silent (no provisional reply) before the call tries the next one. */
  failoverTimeoutMilliseconds?: number
}

export const RENDER_DEFAULTS = {
  workers: 4,
  failoverTimeoutMilliseconds: 2000,
  /** Ringing time allowed once a soft switch has answered provisionally. */
  ringTimeoutMilliseconds: 120000,
} as const

/** The JSON-RPC endpoint path on the RPC listener. */
export const RPC_PATH = '/RPC'

/**
 * The dialog profile (with a value) counting the calls in progress through an edge per destination site:
 * each carrier call sent to a soft switch is in it under that soft switch's site until it ends.
 * Read with JSON-RPC `dlg.profile_get_size <profile> <site>`.
 */
export const CALLS_TO_SITE_PROFILE = 'calls_to_site'
