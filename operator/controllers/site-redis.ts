// One Redis connection per Site, made from the Site's spec.redis (an External host, or a Managed
// Redis's Service) and the password Secret. Commands fail fast while a Redis is unreachable, so
// projection waits for it instead of queueing writes in memory.
import { Redis } from 'ioredis'
import type { Site } from '../../crds/types.ts'
import { contentHash } from '../runtime/apply.ts'
import { ApiError, type KubeClient } from '../runtime/kube-client.ts'
import type { Logger } from '../runtime/log.ts'
import { coreTypes, objectKey, objectPath } from '../runtime/resource.ts'
import { PORTS, resourceName } from '../render/site/index.ts'
import type { Cached } from './kinds.ts'
import { generatedSecretRefs } from './site-objects.ts'

interface Connection {
  redis: Redis
  hash: string
}

async function secretValue(client: KubeClient, namespace: string, ref: { name: string; key: string }): Promise<string | undefined> {
  try {
    const secret = await client.json<{ data?: Record<string, string> }>('GET', objectPath(coreTypes.secret, namespace, ref.name))
    const value = secret.data?.[ref.key]
    return value === undefined ? undefined : Buffer.from(value, 'base64').toString('utf8')
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return undefined
    throw error
  }
}

export class SiteRedis {
  private readonly connections = new Map<string, Connection>()
  private readonly client: KubeClient
  private readonly clusterDomain: string
  private readonly log: Logger
  private readonly onReady: (siteKey: string) => void

  /** onReady runs whenever a Site's Redis (re)connects, so that everything can be projected into it. */
  constructor(client: KubeClient, clusterDomain: string, log: Logger, onReady: (siteKey: string) => void) {
    this.client = client
    this.clusterDomain = clusterDomain
    this.log = log
    this.onReady = onReady
  }

  /** The Site's Redis if it is connected; undefined while it is not (onReady fires when it is). */
  async ready(site: Cached<Site>): Promise<Redis | undefined> {
    const key = objectKey(site)
    const namespace = site.metadata.namespace ?? 'default'
    const { redis: spec } = site.spec
    const target =
      spec.mode === 'External' && spec.external
        ? { host: spec.external.host, port: spec.external.port ?? PORTS.redis, secret: spec.external.passwordSecretRef }
        : {
            host: `${resourceName(site.metadata.name, 'redis')}.${namespace}.svc.${this.clusterDomain}`,
            port: PORTS.redis,
            secret: generatedSecretRefs(site).redis,
          }
    const hash = contentHash(target)
    let connection = this.connections.get(key)
    if (connection?.hash !== hash) {
      const password = target.secret ? await secretValue(this.client, namespace, target.secret) : undefined
      // A Managed Redis's password Secret is created by the Site's provisioning, which may not have run yet
      // when the projection first asks. A connection made without it would be refused (NOAUTH) for good,
      // since nothing here would make it again: wait for the Secret instead (the projection marker asks
      // again every 10 s).
      if (target.secret && password === undefined) {
        this.log.debug({ site: key, secret: target.secret.name }, 'site Redis password Secret not there yet')
        return undefined
      }
      connection?.redis.disconnect()
      const redis = new Redis({
        host: target.host,
        port: target.port,
        ...(password ? { password } : {}),
        enableOfflineQueue: false,
        maxRetriesPerRequest: 1,
        retryStrategy: (attempt) => Math.min(attempt * 200, 5000),
      })
      redis.on('ready', () => this.onReady(key))
      redis.on('error', (error: Error) => this.log.debug({ site: key, err: error.message }, 'site Redis unreachable'))
      connection = { redis, hash }
      this.connections.set(key, connection)
    }
    return connection.redis.status === 'ready' ? connection.redis : undefined
  }

  forget(siteKey: string): void {
    this.connections.get(siteKey)?.redis.disconnect()
    this.connections.delete(siteKey)
  }

  close(): void {
    for (const key of [...this.connections.keys()]) this.forget(key)
  }
}
