// What the FreeSWITCH configuration is rendered from, and the names it shares with the pod spec and the
// CTI bridge (environment variables, channel variables, the SIP header the edge may set).

export interface FreeswitchConfigInput {
  /** The Site's name: set on every call so the CTI bridge and the ACD know where the call landed. */
  site: string
  sip: {
    port: number
    /** Addresses of the SIP edges: calls from them are accepted without digest authentication. */
    trustedCidrs: readonly string[]
  }
  rtp: { startPort: number; endPort: number }
  esl: {
    port: number
    /** Addresses of the CTI bridge, the only clients allowed on the Event Socket (besides the pod itself). */
    allowedCidrs: readonly string[]
  }
  /** The login service's directory endpoint, which mod_xml_curl asks for users (phones). */
  directoryUrl: string
  /** Where the dialplan hands every inbound call: the CTI bridge's outbound-socket listener. */
  ctiSocket: { host: string; port: number }
  /** Where the log goes: the container's standard output (`/dev/stdout`), or a file where no one reads stdout. */
  logFile: string
}

/** Environment variables the FreeSWITCH container must have: the pod's IP and the ESL password (from a Secret). */
export const FREESWITCH_ENV = { podIp: 'POD_IP', eslPassword: 'ESL_PASSWORD' } as const

export {
  CHANNEL_VARIABLES,
  DIALPLAN_CONTEXT,
  SIP_PROFILE,
  SKILL_GROUP_HEADER,
  TRANSFER_SITE_HEADER,
  TRUNK_HEADER,
} from '../../../workloads/lib/softswitch-names.ts'

export const ACL = { eslClients: 'cti-bridge', sipEdges: 'sip-edges' } as const

/** Global (preprocessor) variables vars.xml fills from the environment. */
export const GLOBAL_VARIABLES = { podIp: 'pod_ip', eslPassword: 'esl_password', domain: 'domain' } as const

export const globalVariable = (name: string): string => `$\${${name}}`
