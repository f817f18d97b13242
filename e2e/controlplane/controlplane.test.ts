import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { after, before, describe, test } from 'node:test'
import { startControlPlane, type ControlPlane } from './controlplane.ts'

const KUBERNETES_VERSION = 'v1.35.4'

describe('a control plane of real local processes (watch cache on, controller manager)', () => {
  let started: ControlPlane | undefined
  let startupMs = 0

  before(async () => {
    const startedAt = performance.now()
    started = await startControlPlane({ controllerManager: true })
    startupMs = performance.now() - startedAt
  })
  after(() => started?.stop())

  test('kubectl reaches the apiserver, which reports the pinned Kubernetes version', async (t) => {
    const controlPlane = mustHaveStarted(started)
    t.diagnostic(`startControlPlane({ controllerManager: true }) took ${Math.round(startupMs)} ms`)
    const result = await controlPlane.kubectl(['version', '-o', 'json'])
    assert.equal(result.code, 0, result.stderr)
    const version = JSON.parse(result.stdout) as { serverVersion?: { gitVersion?: string } }
    assert.equal(version.serverVersion?.gitVersion, KUBERNETES_VERSION)
    assert.match(controlPlane.server, /^https:\/\/127\.0\.0\.1:\d+$/)
  })

  test('runs etcd, kube-apiserver and kube-controller-manager', () => {
    const controlPlane = mustHaveStarted(started)
    const names = controlPlane
      .processes()
      .map(({ name }) => name)
      .sort()
    assert.deepEqual(names, ['etcd', 'kube-apiserver', 'kube-controller-manager'])
  })

  test('objects applied from stdin survive an apiserver restart on the same URL', async () => {
    const controlPlane = mustHaveStarted(started)
    const applied = await controlPlane.kubectl(['apply', '-f', '-'], {
      input: JSON.stringify({
        apiVersion: 'v1',
        kind: 'List',
        items: [
          { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'restart' } },
          {
            apiVersion: 'v1',
            kind: 'ConfigMap',
            metadata: { name: 'kept', namespace: 'restart' },
            data: { greeting: 'hello' },
          },
        ],
      }),
    })
    assert.equal(applied.code, 0, applied.stderr)

    const server = controlPlane.server
    await controlPlane.stopApiserver()
    const whileDown = await controlPlane.kubectl(['get', 'namespaces', '--request-timeout=2s'])
    assert.notEqual(whileDown.code, 0, 'kubectl should fail while the apiserver is stopped')
    await controlPlane.startApiserver()

    assert.equal(controlPlane.server, server)
    const read = await controlPlane.kubectl(['get', 'configmap', 'kept', '-n', 'restart', '-o', 'jsonpath={.data.greeting}'])
    assert.equal(read.code, 0, read.stderr)
    assert.equal(read.stdout, 'hello')
  })

  test('the garbage collector deletes a dependent once its owner is gone', async () => {
    const controlPlane = mustHaveStarted(started)
    const owner = await controlPlane.kubectl(['create', 'configmap', 'owner', '-n', 'default', '-o', 'json'])
    assert.equal(owner.code, 0, owner.stderr)
    const ownerUid = (JSON.parse(owner.stdout) as { metadata: { uid: string } }).metadata.uid
    const dependent = await controlPlane.kubectl(['apply', '-f', '-'], {
      input: JSON.stringify({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: {
          name: 'dependent',
          namespace: 'default',
          ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: ownerUid }],
        },
      }),
    })
    assert.equal(dependent.code, 0, dependent.stderr)

    const deleted = await controlPlane.kubectl(['delete', 'configmap', 'owner', '-n', 'default'])
    assert.equal(deleted.code, 0, deleted.stderr)
    const gone = await controlPlane.kubectl(['wait', '--for=delete', 'configmap/dependent', '-n', 'default', '--timeout=60s'])
    assert.equal(gone.code, 0, gone.stderr)
  })
})

describe('etcd compaction (watch cache off, so requests from old resourceVersions reach etcd)', () => {
  let started: ControlPlane | undefined

  before(async () => {
    started = await startControlPlane({ watchCache: false })
  })
  after(() => started?.stop())

  test('a watch or an exact list from a compacted resourceVersion is 410 Expired', async () => {
    const controlPlane = mustHaveStarted(started)
    const created = await controlPlane.kubectl(['create', 'configmap', 'history', '-n', 'default', '-o', 'json'])
    assert.equal(created.code, 0, created.stderr)
    const oldVersion = (JSON.parse(created.stdout) as { metadata: { resourceVersion: string } }).metadata.resourceVersion
    const patched = await controlPlane.kubectl(['patch', 'configmap', 'history', '-n', 'default', '-p', '{"data":{"k":"v"}}'])
    assert.equal(patched.code, 0, patched.stderr)

    const compactedAt = await controlPlane.compactEtcd()
    assert.ok(compactedAt > Number(oldVersion), `compacted at ${compactedAt}, old version ${oldVersion}`)

    const watch = await controlPlane.kubectl([
      'get',
      '--raw',
      `/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=${oldVersion}&timeoutSeconds=5`,
    ])
    assert.equal(watch.code, 0, watch.stderr)
    const firstEvent = JSON.parse(watch.stdout.split('\n')[0] ?? '') as {
      type: string
      object: { code?: number; reason?: string }
    }
    assert.equal(firstEvent.type, 'ERROR')
    assert.equal(firstEvent.object.code, 410)
    assert.equal(firstEvent.object.reason, 'Expired')

    const list = await controlPlane.kubectl([
      'get',
      '--raw',
      `/api/v1/namespaces/default/configmaps?resourceVersion=${oldVersion}&resourceVersionMatch=Exact`,
    ])
    assert.notEqual(list.code, 0)
    assert.match(list.stderr, /Expired/)
  })
})

describe('two control planes started at once', () => {
  const controlPlanes: ControlPlane[] = []

  before(async () => {
    const results = await Promise.allSettled([startControlPlane(), startControlPlane()])
    for (const result of results) if (result.status === 'fulfilled') controlPlanes.push(result.value)
    const failure = results.find((result) => result.status === 'rejected')
    if (failure !== undefined) throw failure.reason
  })
  after(() => Promise.all(controlPlanes.map((controlPlane) => controlPlane.stop())))

  test('are independent: own dir, ports and data', async () => {
    const [first, second] = controlPlanes as [ControlPlane, ControlPlane]
    assert.notEqual(first.dir, second.dir)
    assert.notEqual(first.server, second.server)
    assert.notEqual(first.etcdEndpoint, second.etcdEndpoint)

    const created = await first.kubectl(['create', 'namespace', 'only-in-first'])
    assert.equal(created.code, 0, created.stderr)
    const inFirst = await first.kubectl(['get', 'namespace', 'only-in-first'])
    assert.equal(inFirst.code, 0, inFirst.stderr)
    const inSecond = await second.kubectl(['get', 'namespace', 'only-in-first'])
    assert.notEqual(inSecond.code, 0)
    assert.match(inSecond.stderr, /NotFound/)
  })

  test('stop() ends every process and removes the dir, and may be called again', async () => {
    const pids = controlPlanes.flatMap((controlPlane) => controlPlane.processes().map(({ pid }) => pid))
    assert.equal(pids.length, 4)
    assert.ok(pids.every(isRunning), 'all processes run before stop()')

    await Promise.all(controlPlanes.map((controlPlane) => controlPlane.stop()))

    assert.deepEqual(pids.filter(isRunning), [])
    for (const controlPlane of controlPlanes) {
      assert.equal(existsSync(controlPlane.dir), false, `${controlPlane.dir} should be removed`)
      assert.deepEqual(controlPlane.processes(), [])
      await controlPlane.stop()
    }
  })
})

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

function mustHaveStarted(controlPlane: ControlPlane | undefined): ControlPlane {
  assert.ok(controlPlane !== undefined, 'the control plane did not start (see the before hook)')
  return controlPlane
}
