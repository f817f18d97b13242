// What both sites' Redis and login services must know before agents sign in: the fleet projected into
// Redis (as the operator would), the identity file (one password for every account) and the token key
// the two login services share (so a token signed at one site is honoured at the other).
import { randomBytes } from 'node:crypto'
import { writeFile } from 'node:fs/promises'
import { Redis } from 'ioredis'
import { passwordSha256 } from '../../workloads/lib/auth/identity.ts'
import { applyAgentSeat, applyPhoneMAC, applySite, applySkillGroup } from '../../workloads/lib/projection/apply.ts'
import type { Fleet } from '../../examples/fleet/fleet.ts'

const BATCH = 500

async function inBatches<T>(items: readonly T[], apply: (item: T) => Promise<unknown>): Promise<void> {
  for (let start = 0; start < items.length; start += BATCH) await Promise.all(items.slice(start, start + BATCH).map(apply))
}

/**
 * Projects every Site, SkillGroup, AgentSeat and PhoneMAC of the fleet into one site's Redis; every phone
 * with the same SIP password (its PhoneMAC Secret's), which FreeSWITCH's directory checks at REGISTER.
 */
export async function projectFleet(redisUrl: string, fleet: Fleet, phonePassword: string): Promise<void> {
  const redis = new Redis(redisUrl, { enableAutoPipelining: true })
  try {
    for (const site of fleet.sites) await applySite(redis, site)
    await inBatches(fleet.skillGroups, (group) => applySkillGroup(redis, group))
    await inBatches(fleet.agentSeats, (seat) => applyAgentSeat(redis, seat))
    await inBatches(fleet.phoneMACs, (phone) => applyPhoneMAC(redis, phone, { username: phone.spec.mac, password: phonePassword }))
  } finally {
    redis.disconnect()
  }
}

/** Writes {"accounts": [...]} with the same password for every agent of the fleet. */
export async function writeIdentityFile(path: string, fleet: Fleet, password: string): Promise<void> {
  const digest = passwordSha256(password)
  const accounts = fleet.agentSeats.map((seat) => ({ account: seat.spec.account, passwordSha256: digest }))
  await writeFile(path, JSON.stringify({ accounts }), { mode: 0o600 })
}

/** A fresh random secret (hex), for the shared token key and the agents' password. */
export const randomSecret = (bytes = 32): string => randomBytes(bytes).toString('hex')
