// The ACD's own keys in the site's Redis (prefix `acd:`), next to the `cc:` keys the operator projects.
export const acdKeys = {
  /** String: JSON of a signed-in agent (model.ts Agent). */
  agent: (agentId: string) => `acd:agent:${agentId}`,
  /** Set: IDs of signed-in agents. */
  agents: () => 'acd:agents',
  /** String: JSON of a live call (model.ts Call, with its reservation and current instruction). */
  call: (callId: string) => `acd:call:${callId}`,
  /** Set: IDs of live calls. */
  calls: () => 'acd:calls',
  /** Hash: skill group -> the agent its last RoundRobin call went to. */
  roundRobin: () => 'acd:roundrobin',
  /** Sorted set: the group's call outcomes (score: when), kept for the service-level window. */
  outcomes: (skillGroup: string) => `acd:outcomes:${skillGroup}`,
  /** Set: groups that have an outcomes key. */
  outcomeGroups: () => 'acd:outcome-groups',
  /** Hash: `last` (the agent who last served this caller) and `n:<agentId>` (calls served), expiring. */
  caller: (caller: string) => `acd:caller:${caller}`,
} as const
