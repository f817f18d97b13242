// Test fixture: a small two-site call center projected into real Redis, and login services on it.
import { Redis } from 'ioredis'
import type { AgentSeat, PhoneMAC, Site, SkillGroup } from '../../../crds/types.ts'
import { validAgentSeat, validPhoneMAC, validSite, validSkillGroup } from '../../../crds/catalog/valid.ts'
import { StaticIdentityProvider } from '../../lib/auth/identity.ts'
import { applyAgentSeat, applyPhoneMAC, applySite, applySkillGroup } from '../../lib/projection/apply.ts'
import { startRedis, type TestRedis } from '../../lib/testing/redis.ts'
import { startLoginService, type LoginService, type LoginServiceOptions } from '../server.ts'

export const PASSWORD = 'correct horse battery staple'
export const TOKEN_SECRET = new TextEncoder().encode('test-secret-test-secret-test-secret!')

function site(name: string, pools: Site['spec']['operatorIdPools']): Site {
  const object = validSite(name)
  object.spec.operatorIdPools = pools
  return object
}

function seat(agentId: string, account: string, skills: string[], homeSite = 'shanghai', allowedSites?: string[]): AgentSeat {
  const object = validAgentSeat(agentId.toLowerCase())
  object.spec = { agentId, account, homeSite, skills: skills.map((skillGroup) => ({ skillGroup, proficiency: 6 })) }
  if (allowedSites !== undefined) object.spec.allowedSites = allowedSites
  return object
}

function phone(index: number, pcHostName: string, extensions: PhoneMAC['spec']['extensions']): PhoneMAC {
  const object = validPhoneMAC(`phone-${index}`)
  object.spec = { mac: `00:15:65:3c:00:${String(index).padStart(2, '0')}`, pcHostName, extensions }
  return object
}

export interface WorldOptions {
  /** The operator-ID pools of shanghai; default: general 1000-1009 and vip 1900-1900 (one ID). */
  shanghaiPools?: Site['spec']['operatorIdPools']
  /** Extra agents agentN@travel.example (N from 100) with PCs PC-N and extensions 7N / 9N. */
  extraAgents?: number
  /** The skill groups of extra agent N; default hotel. */
  extraAgentSkills?: (n: number) => string[]
}

/**
 * A10001 zhang.wei (hotel, PC SH-PC-0001, ext 8001 / 6001, SIP credentials), A10002 li.na (vip,
 * SH-PC-0002), A10003 wang.fang (allowed at nantong only), A10004 zhao.lei (hotel, PC NT-PC-0004 whose
 * phone has no shanghai extension), A10005 chen.jie (vip, SH-PC-0003, ext 8003 at shanghai only).
 */
export function worldObjects(options: WorldOptions = {}) {
  const sites = [
    site(
      'shanghai',
      options.shanghaiPools ?? [
        { name: 'general', from: 1000, to: 1009 },
        { name: 'vip', from: 1900, to: 1900, skillGroups: ['vip'] },
      ],
    ),
    site('nantong', [{ name: 'general', from: 2000, to: 2099 }]),
  ]
  const skillGroups: SkillGroup[] = ['hotel', 'flight', 'vip'].map((name) => validSkillGroup(name))
  const seats = [
    seat('A10001', 'zhang.wei@travel.example', ['hotel']),
    seat('A10002', 'li.na@travel.example', ['vip']),
    seat('A10003', 'wang.fang@travel.example', ['hotel'], 'nantong', ['nantong']),
    seat('A10004', 'zhao.lei@travel.example', ['hotel']),
    seat('A10005', 'chen.jie@travel.example', ['vip']),
  ]
  const phones = [
    phone(1, 'SH-PC-0001', [
      { site: 'shanghai', extension: '8001', line: 'A' },
      { site: 'nantong', extension: '6001', line: 'B' },
    ]),
    phone(2, 'SH-PC-0002', [
      { site: 'shanghai', extension: '8002', line: 'A' },
      { site: 'nantong', extension: '6002', line: 'B' },
    ]),
    phone(3, 'SH-PC-0003', [{ site: 'shanghai', extension: '8003', line: 'A' }]),
    phone(4, 'NT-PC-0004', [{ site: 'nantong', extension: '6004', line: 'A' }]),
  ]
  for (let n = 100; n < 100 + (options.extraAgents ?? 0); n++) {
    seats.push(seat(`A${n}`, `agent${n}@travel.example`, options.extraAgentSkills?.(n) ?? ['hotel'], 'shanghai'))
    phones.push(
      phone(n, `PC-${n}`, [
        { site: 'shanghai', extension: `7${n}`, line: 'A' },
        { site: 'nantong', extension: `9${n}`, line: 'B' },
      ]),
    )
  }
  return { sites, skillGroups, seats, phones }
}

export function accountsOf(objects: ReturnType<typeof worldObjects>): [string, string][] {
  return objects.seats.map((object) => [object.spec.account, PASSWORD])
}

/** Projects the world into one site's Redis, as the operator would. */
export async function projectWorld(redis: Redis, objects: ReturnType<typeof worldObjects>): Promise<void> {
  for (const object of objects.sites) await applySite(redis, object)
  for (const object of objects.skillGroups) await applySkillGroup(redis, object)
  await Promise.all(objects.seats.map((object) => applyAgentSeat(redis, object)))
  await Promise.all(
    objects.phones.map((object) =>
      applyPhoneMAC(redis, object, object.spec.pcHostName === 'SH-PC-0001' ? { username: '8001', password: 'sip-secret-8001' } : undefined),
    ),
  )
}

export function startTestLogin(
  redisUrl: string,
  site: string,
  objects: ReturnType<typeof worldObjects>,
  overrides: Partial<LoginServiceOptions> = {},
): Promise<LoginService> {
  return startLoginService({
    site,
    redisUrl,
    host: '127.0.0.1',
    port: 0,
    tokenSecret: TOKEN_SECRET,
    tokenTtlSeconds: 900,
    sessionTimeoutMs: 5_000,
    sweepIntervalMs: 50,
    identity: StaticIdentityProvider.fromPasswords(accountsOf(objects)),
    ...overrides,
  })
}

export const credentials = (account: string, pcHostName: string) => ({ account, password: PASSWORD, pcHostName })

/** POSTs JSON; returns the status and the parsed answer. */
export async function post(url: string, body: unknown, token?: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token === undefined ? {} : { authorization: `Bearer ${token}` }) },
    body: JSON.stringify(body),
  })
  return { status: response.status, body: (await response.json()) as Record<string, unknown> }
}

/** Two sites (shanghai, nantong), each with its own real Redis holding the projected world and a login service on it. */
export interface TwoSiteLogins {
  redisServers: Record<TwoSiteName, TestRedis>
  redis: Record<TwoSiteName, Redis>
  /** Replaceable: a test may restart a site's login service. */
  logins: Record<TwoSiteName, LoginService>
  url(site: TwoSiteName): string
  stop(): Promise<void>
}

export type TwoSiteName = 'shanghai' | 'nantong'

export async function startTwoSiteLogins(objects: ReturnType<typeof worldObjects>): Promise<TwoSiteLogins> {
  const started: { server: TestRedis; client: Redis; login?: LoginService }[] = []
  const stop = async () => {
    for (const { login } of started) await login?.close()
    for (const { client, server } of started) {
      client.disconnect()
      await server.stop()
    }
  }
  try {
    for (const site of ['shanghai', 'nantong'] as const) {
      const server = await startRedis()
      const client = new Redis(server.url)
      const entry: (typeof started)[number] = { server, client }
      started.push(entry)
      await projectWorld(client, objects)
      entry.login = await startTestLogin(server.url, site, objects)
    }
  } catch (error) {
    await stop()
    throw error
  }
  const [shanghai, nantong] = started
  if (shanghai?.login === undefined || nantong?.login === undefined) throw new Error('both sites must have started')
  const sites: TwoSiteLogins = {
    redisServers: { shanghai: shanghai.server, nantong: nantong.server },
    redis: { shanghai: shanghai.client, nantong: nantong.client },
    logins: { shanghai: shanghai.login, nantong: nantong.login },
    url: (site) => sites.logins[site].url,
    async stop() {
      shanghai.login = sites.logins.shanghai
      nantong.login = sites.logins.nantong
      await stop()
    },
  }
  return sites
}
