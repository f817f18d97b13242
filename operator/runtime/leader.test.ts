// A leader frozen past its lease must not act on it when it resumes: holdsLease() goes false by its own
// clock once renewDeadline has passed without a renewal, and a KubeClient guarded with it refuses
// writes before they are sent. Found by the leader-frozen fault e2e (e2e/faults/leader-frozen.test.ts):
// a replica resumed after SIGSTOP sent the writes its controllers had queued before it noticed.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { KubeConfig } from '@kubernetes/client-node'
import { ApiError, KubeClient, WriteRefusedError } from './kube-client.ts'
import { LeaderElector } from './leader.ts'
import { silentLogger as LOG } from './log.ts'

/** A client whose Lease GET says 404 and whose POST succeeds: the lease is free, and taken. */
function grantingClient(): KubeClient {
  const fake = {
    json: (method: string) => (method === 'GET' ? Promise.reject(new ApiError(404, 'NotFound', 'no lease yet')) : Promise.resolve({})),
  }
  return fake as unknown as KubeClient
}

describe('LeaderElector.holdsLease', () => {
  it('holds the lease right after winning it, and no longer once renewDeadline passed without a renewal', async () => {
    const elector = new LeaderElector(
      grantingClient(),
      { namespace: 'callcenter', name: 'operator', identity: 'a', renewDeadlineMs: 7_000, retryPeriodMs: 60_000 },
      LOG,
    )
    const stop = new AbortController()
    const running = elector.run(
      stop.signal,
      () => undefined,
      () => undefined,
    )
    await new Promise<void>((resolve) => {
      const check = () => (elector.isLeader() ? resolve() : setTimeout(check, 5))
      check()
    })
    assert.equal(elector.holdsLease(), true)
    // As a replica resumed 8 s later finds it, before its election loop has run again: still "leading".
    const resumed = Date.now() + 8_000
    assert.equal(elector.isLeader(), true)
    assert.equal(elector.holdsLease(resumed), false, 'its last renewal is older than renewDeadline')
    stop.abort()
    await running
    assert.equal(elector.holdsLease(), false)
  })
})

describe('KubeClient.guardWrites', () => {
  const client = () => {
    const config = new KubeConfig()
    config.loadFromOptions({
      clusters: [{ name: 'c', server: 'http://127.0.0.1:1', skipTLSVerify: true }],
      users: [{ name: 'u' }],
      contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
      currentContext: 'x',
    })
    const writes: string[] = []
    return { kube: new KubeClient(config, (method, path) => writes.push(`${method} ${path}`)), writes }
  }

  it('refuses a write the guard says no to, before sending or counting it', async () => {
    const { kube, writes } = client()
    kube.guardWrites(() => 'this replica does not hold the leader lease')
    await assert.rejects(
      kube.json('PATCH', '/apis/callcenter.dev/v1alpha1/namespaces/callcenter/sites/shanghai/status', { body: {} }),
      (error: unknown) => error instanceof WriteRefusedError && /does not hold the leader lease/.test(error.message),
    )
    assert.deepEqual(writes, [], 'not counted as a write')
  })

  it('lets reads through, and writes the guard allows (they then fail only for want of a server here)', async () => {
    const { kube, writes } = client()
    kube.guardWrites((_method, path) => (path.includes('/leases/') ? undefined : 'no lease'))
    await assert.rejects(kube.json('GET', '/api/v1/namespaces'), (error: unknown) => !(error instanceof WriteRefusedError))
    await assert.rejects(
      kube.json('PUT', '/apis/coordination.k8s.io/v1/namespaces/callcenter/leases/operator', { body: {} }),
      (error: unknown) => !(error instanceof WriteRefusedError),
    )
    assert.equal(writes.length, 1, 'the allowed write was sent')
  })
})
