// The Redis key schema of a site's Redis. The operator projects the CRs into the `cc:` keys (it owns
// them); each workload keeps its own live state under its own prefix (`login:`, `acd:`, `cti:`).
// Identities that people type (accounts, PC host names) are looked up in lower case.

export const KEY_PREFIX = 'cc:'

export const projectionKeys = {
  /** Hash: agentId, name, account, displayName, homeSite, allowedSites (JSON), skills (JSON [{skillGroup, proficiency}]), generation. */
  agentSeat: (agentId: string) => `cc:seat:${agentId}`,
  /** String: the agentId signing in with this domain account. */
  account: (account: string) => `cc:account:${account.toLowerCase()}`,
  /** Hash: mac, pcHostName, extensions (JSON [{site, extension, line}]), sipUsername, sipPassword (from the credentials Secret), generation. */
  phone: (mac: string) => `cc:phone:${mac.toLowerCase()}`,
  /** String: the MAC of the phone on the same switch port as this PC. */
  pc: (pcHostName: string) => `cc:pc:${pcHostName.toLowerCase()}`,
  /** String: the MAC of the phone that has this extension at this site. */
  extension: (site: string, extension: string) => `cc:ext:${site}:${extension}`,
  /** String: JSON of the SkillGroup spec plus {name, generation}. */
  skillGroup: (name: string) => `cc:skillgroup:${name}`,
  /** Set: names of every projected SkillGroup. */
  skillGroupIndex: () => 'cc:skillgroups',
  /** String: JSON {generation, pools: [{name, from, to, skillGroups, leaseSeconds}]} from the Site's spec.operatorIdPools. */
  sitePools: (site: string) => `cc:site:${site}:pools`,
  /** String: JSON {site, traffic, health} of every Site (traffic: its spec.traffic), for the workloads' routing decisions. */
  site: (site: string) => `cc:site:${site}`,
  /** Set: names of every projected Site. */
  siteIndex: () => 'cc:sites',
} as const

/** Pub/sub channel on which the projection announces every change: JSON {kind, name, op: 'upsert'|'delete'}. */
export const PROJECTION_CHANNEL = 'cc:changes'

export interface ProjectionChange {
  kind: 'AgentSeat' | 'PhoneMAC' | 'SkillGroup' | 'Site'
  /** The key identity: the agentId, the lower-case MAC, or the SkillGroup's or Site's name. */
  name: string
  op: 'upsert' | 'delete'
}
