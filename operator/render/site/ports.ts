// The ports every workload listens on: one table, so Services, probes, NetworkPolicies and the
// FreeSWITCH config cannot disagree.
export const PORTS = {
  /** HTTP (and WebSocket) of acd, login and cti. */
  http: 8080,
  /** The CTI bridge's outbound Event Socket listener: FreeSWITCH connects here for every call. */
  ctiSocket: 8084,
  /** FreeSWITCH's inbound Event Socket. */
  esl: 8021,
  sip: 5060,
  redis: 6379,
  /** The edge agent's HTTP API; off 8080, because with host networking it shares the node's ports. */
  edgeAgent: 8090,
} as const

/** FreeSWITCH takes RTP on even ports (RTCP on the next odd one), so the range ends on an even port. */
export const RTP_PORTS = { startPort: 16384, endPort: 32766 } as const
