// Leader election with a coordination.k8s.io Lease, as client-go does it: a candidate takes the lease
// when it is free or its holder has not renewed it for leaseDuration (measured on our own clock from
// when we last saw it change, so clock skew between replicas does not matter); the leader renews it
// every retryPeriod and, if it cannot renew within renewDeadline, gives up leadership. On a clean
// stop the leader releases the lease so that the next replica takes over at once.
import { isAborted, sleep } from './backoff.ts'
import { ApiError, type KubeClient } from './kube-client.ts'
import type { Logger } from './log.ts'
import { collectionPath, coreTypes, objectPath } from './resource.ts'

export interface LeaderElectionOptions {
  namespace: string
  name: string
  identity: string
  leaseDurationSeconds?: number
  renewDeadlineMs?: number
  retryPeriodMs?: number
}

interface Lease {
  apiVersion: 'coordination.k8s.io/v1'
  kind: 'Lease'
  metadata: { name: string; namespace: string; resourceVersion?: string }
  spec: {
    holderIdentity?: string | null
    leaseDurationSeconds?: number
    acquireTime?: string
    renewTime?: string
    leaseTransitions?: number
  }
}

const microTime = (date: Date) => date.toISOString().replace('Z', '000Z')

export class LeaderElector {
  private readonly client: KubeClient
  private readonly options: Required<LeaderElectionOptions>
  private readonly log: Logger
  private observed: { record: string; at: number } | undefined
  private leading = false
  private lastRenewAt = 0

  constructor(client: KubeClient, options: LeaderElectionOptions, log: Logger) {
    this.client = client
    this.options = { leaseDurationSeconds: 10, renewDeadlineMs: 7000, retryPeriodMs: 1000, ...options }
    this.log = log.child({ lease: `${options.namespace}/${options.name}`, identity: options.identity })
  }

  isLeader(): boolean {
    return this.leading
  }

  /**
   * Whether this replica may act as the leader now: it leads and renewed the lease within renewDeadline
   * (shorter than the lease). A replica frozen (SIGSTOP, a long pause) past its lease resumes with
   * `leading` still set and timers and requests of its controllers queued; by its own clock its last
   * renewal is then too old, so everything gated on this refuses before the election loop catches up.
   */
  holdsLease(now = Date.now()): boolean {
    return this.leading && now - this.lastRenewAt < this.options.renewDeadlineMs
  }

  /**
   * Campaigns until this replica leads, calls onStarted, then renews until it fails to or the signal
   * aborts; calls onStopped when leadership ends either way (releasing the lease on a clean stop).
   */
  async run(signal: AbortSignal, onStarted: () => void, onStopped: () => void): Promise<void> {
    while (!isAborted(signal) && !(await this.tryAcquireOrRenew())) await sleep(this.options.retryPeriodMs, signal)
    if (isAborted(signal)) return
    this.lastRenewAt = Date.now()
    this.leading = true
    this.log.info('became leader')
    onStarted()
    while (!isAborted(signal)) {
      await sleep(this.options.retryPeriodMs, signal)
      if (isAborted(signal)) break
      if (!this.holdsLease()) {
        // Woken past the deadline (frozen, or starved): renewing now could take a lease another replica
        // has held meanwhile with its stale record; step down instead.
        this.log.error({ sinceRenewMs: Date.now() - this.lastRenewAt }, 'the lease was not renewed in time: leadership lost')
        break
      }
      if (await this.tryAcquireOrRenew()) {
        this.lastRenewAt = Date.now()
      } else if (Date.now() - this.lastRenewAt > this.options.renewDeadlineMs) {
        this.log.error('could not renew the lease in time: leadership lost')
        break
      }
    }
    this.leading = false
    if (isAborted(signal)) await this.release()
    onStopped()
  }

  private leasePath(): string {
    return objectPath(coreTypes.lease, this.options.namespace, this.options.name)
  }

  private async tryAcquireOrRenew(): Promise<boolean> {
    const now = new Date()
    let lease: Lease | undefined
    try {
      lease = await this.client.json<Lease>('GET', this.leasePath())
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 404)) return this.failed(error)
    }
    const spec: Lease['spec'] = {
      holderIdentity: this.options.identity,
      leaseDurationSeconds: this.options.leaseDurationSeconds,
      acquireTime: microTime(now),
      renewTime: microTime(now),
      leaseTransitions: 0,
    }
    try {
      if (!lease) {
        await this.client.json('POST', collectionPath(coreTypes.lease, this.options.namespace), {
          body: {
            apiVersion: 'coordination.k8s.io/v1',
            kind: 'Lease',
            metadata: { name: this.options.name, namespace: this.options.namespace },
            spec,
          },
        })
        return true
      }
      const record = JSON.stringify(lease.spec)
      if (this.observed?.record !== record) this.observed = { record, at: Date.now() }
      const holder = lease.spec.holderIdentity
      const held = holder !== undefined && holder !== null && holder !== ''
      const expired = Date.now() - this.observed.at > (lease.spec.leaseDurationSeconds ?? this.options.leaseDurationSeconds) * 1000
      if (held && holder !== this.options.identity && !expired) return false
      if (holder === this.options.identity) {
        spec.acquireTime = lease.spec.acquireTime ?? spec.acquireTime
        spec.leaseTransitions = lease.spec.leaseTransitions ?? 0
      } else {
        spec.leaseTransitions = (lease.spec.leaseTransitions ?? 0) + 1
      }
      const updated = await this.client.json<Lease>('PUT', this.leasePath(), { body: { ...lease, spec } })
      this.observed = { record: JSON.stringify(updated.spec), at: Date.now() }
      return true
    } catch (error) {
      return this.failed(error)
    }
  }

  private failed(error: unknown): false {
    // A 409 Conflict is another replica winning the race; anything else is worth a line.
    if (!(error instanceof ApiError && error.status === 409)) this.log.warn({ err: (error as Error).message }, 'lease request failed')
    return false
  }

  private async release(): Promise<void> {
    try {
      const lease = await this.client.json<Lease>('GET', this.leasePath())
      if (lease.spec.holderIdentity !== this.options.identity) return
      await this.client.json('PUT', this.leasePath(), {
        body: { ...lease, spec: { ...lease.spec, holderIdentity: null, leaseDurationSeconds: 1, renewTime: microTime(new Date()) } },
      })
      this.log.info('released the lease')
    } catch (error) {
      this.log.warn({ err: (error as Error).message }, 'could not release the lease')
    }
  }
}
