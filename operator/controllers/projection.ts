// Keeps every Site's Redis in step with the AgentSeats, PhoneMACs, SkillGroups and Sites of its
// namespace, object by object (the projection writes nothing when nothing changed). Every Site gets
// every object: on a failover the survivor must know the failed site's agents and phones. With --site
// only the own site's Redis is written (each site cluster's operator keeps its own). A Redis that
// (re)connects, or that lost its data, is filled again from the cache.
import type { AgentSeat, PhoneMAC, Site, SkillGroup } from '../../crds/types.ts'
import {
  applyAgentSeat,
  applyPhoneMAC,
  applySite,
  applySkillGroup,
  removeAgentSeat,
  removePhoneMAC,
  removeSite,
  removeSkillGroup,
} from '../../workloads/lib/projection/apply.ts'
import type { Redis } from 'ioredis'
import { Controller, specChanged } from '../runtime/controller.ts'
import type { Informer } from '../runtime/informer.ts'
import { ApiError, type KubeClient } from '../runtime/kube-client.ts'
import type { Logger } from '../runtime/log.ts'
import type { OperatorMetrics } from '../runtime/metrics.ts'
import { coreTypes, objectKey, objectPath, type KubeObject } from '../runtime/resource.ts'
import { groupInEffect, pinnedSiteInEffect, siteInEffect } from './hold/effective.ts'
import type { Cached } from './kinds.ts'
import { SiteRedis } from './site-redis.ts'
import type { Informers } from './validation.ts'

/** A key Redis loses with its data: while it is there, the projection in that Redis is whole. */
const PROJECTED_MARKER = 'cc:projection:complete'

interface Projector<T extends KubeObject> {
  name: string
  informer: Informer<Cached<T>>
  apply: (redis: Redis, object: Cached<T>) => Promise<unknown>
  remove: (redis: Redis, object: Cached<T>) => Promise<unknown>
  /** Which updates change what is projected: by default, spec changes only. */
  relevant?: (previous: Cached<T>, object: Cached<T>) => boolean
}

export interface ProjectionOptions {
  informers: Informers
  client: KubeClient
  clusterDomain: string
  log: Logger
  metrics: OperatorMetrics
  /** With --site: project only into this site's Redis (the other sites' operators keep theirs). */
  ownSite?: string
}

async function sipCredentials(client: KubeClient, phone: Cached<PhoneMAC>) {
  const ref = phone.spec.credentialsSecretRef
  if (!ref) return undefined
  try {
    const secret = await client.json<{ data?: Record<string, string> }>(
      'GET',
      objectPath(coreTypes.secret, phone.metadata.namespace, ref.name),
    )
    const decode = (key: string) => Buffer.from(secret.data?.[key] ?? '', 'base64').toString('utf8')
    return { username: decode('username'), password: decode('password') }
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return undefined
    throw error
  }
}

export function projectionControllers(options: ProjectionOptions): { controllers: Controller<KubeObject>[]; close: () => void } {
  const { informers, client, log, metrics } = options
  const projectors = [
    {
      name: 'seat',
      informer: informers.agentSeats,
      apply: applyAgentSeat,
      remove: (r, s) => removeAgentSeat(r, s.spec.agentId),
    } satisfies Projector<AgentSeat>,
    {
      name: 'phone',
      informer: informers.phoneMACs,
      apply: async (r, p) => applyPhoneMAC(r, p, await sipCredentials(client, p)),
      remove: (r, p) => removePhoneMAC(r, p.spec.mac),
    } satisfies Projector<PhoneMAC>,
    {
      name: 'skillgroup',
      informer: informers.skillGroups,
      // The ACDs read the pin in effect: a held pin is not projected (hold/effective.ts).
      apply: (r, g) => applySkillGroup(r, groupInEffect(g)),
      remove: (r, g) => removeSkillGroup(r, g.metadata.name),
      relevant: (previous, group) => specChanged(previous, group) || pinnedSiteInEffect(previous) !== pinnedSiteInEffect(group),
    } satisfies Projector<SkillGroup>,
    {
      name: 'site',
      informer: informers.sites,
      // The login services read the traffic in effect: a held Drain or Fenced is not projected.
      apply: (r, s) => applySite(r, siteInEffect(s)),
      remove: (r, s) => removeSite(r, s.metadata.name),
      // A Site's projection carries its health (status).
      relevant: () => true,
    } satisfies Projector<Site>,
  ] as unknown as Projector<KubeObject>[]

  const controllers: Controller<KubeObject>[] = []
  const projectEverythingInto = (siteKey: string) => {
    const namespace = siteKey.split('/')[0]
    for (const [index, projector] of projectors.entries()) {
      for (const object of projector.informer.store.list()) {
        if (object.metadata.namespace === namespace) controllers[index]?.queue.add(objectKey(object))
      }
    }
  }
  const redisOf = new SiteRedis(client, options.clusterDomain, log, projectEverythingInto)
  const projectsInto = (site: Site) => options.ownSite === undefined || site.metadata.name === options.ownSite
  const sitesOf = (namespace: string | undefined) =>
    informers.sites.store.list().filter((s) => s.metadata.namespace === namespace && projectsInto(s))

  for (const projector of projectors) {
    // Deleted objects leave the cache before their reconcile runs; remember them until removed.
    const tombstones = new Map<string, Cached<KubeObject>>()
    projector.informer.addHandlers({ delete: (object) => tombstones.set(objectKey(object), object) })
    controllers.push(
      new Controller<Cached<KubeObject>>({
        name: `projection-${projector.name}`,
        primary: projector.informer,
        log,
        metrics,
        workers: 8,
        relevant: projector.relevant ?? specChanged,
        reconcile: async (key) => {
          const live = projector.informer.store.get(key)
          const object = live ?? tombstones.get(key)
          if (!object) return undefined
          for (const site of sitesOf(object.metadata.namespace)) {
            const redis = await redisOf.ready(site)
            if (!redis) continue // filled in when it connects
            if (live) await projector.apply(redis, live)
            else await projector.remove(redis, object)
          }
          if (!live) tombstones.delete(key)
          return undefined
        },
      }),
    )
  }

  // A Redis restarted without its data still connects as "ready" with nothing in it: check the marker.
  const markers = new Controller<Cached<Site>>({
    name: 'projection-marker',
    primary: informers.sites,
    log,
    metrics,
    workers: 1,
    reconcile: async (key) => {
      const site = informers.sites.store.get(key)
      if (!site || !projectsInto(site)) {
        redisOf.forget(key)
        return undefined
      }
      const redis = await redisOf.ready(site)
      if (redis && !(await redis.exists(PROJECTED_MARKER))) {
        projectEverythingInto(key)
        await redis.set(PROJECTED_MARKER, new Date().toISOString())
      }
      return { requeueAfterMs: 10_000 }
    },
  })
  controllers.push(markers as unknown as Controller<KubeObject>)
  return { controllers, close: () => redisOf.close() }
}
