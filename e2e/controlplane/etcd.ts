import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { allocatePort, retryOnPortConflict } from './ports.ts'
import { startProcess, type ManagedProcess } from './processes.ts'
import { httpOk, waitUntilReady } from './readiness.ts'
import { toolPath } from './tools.ts'

export interface RunningEtcd {
  readonly process: ManagedProcess
  /** Client URL, e.g. http://127.0.0.1:40123 */
  readonly endpoint: string
}

export async function startEtcd(dir: string): Promise<RunningEtcd> {
  const binary = toolPath('etcd')
  const dataDir = join(dir, 'etcd-data')
  return retryOnPortConflict(async () => {
    // A failed attempt may have initialised the data dir with the old peer URL.
    await rm(dataDir, { recursive: true, force: true })
    const [clientPort, peerPort] = await Promise.all([allocatePort(), allocatePort()])
    const endpoint = `http://127.0.0.1:${clientPort}`
    const peerUrl = `http://127.0.0.1:${peerPort}`
    const managed = startProcess({
      name: 'etcd',
      command: binary,
      args: [
        '--name=e2e',
        `--data-dir=${dataDir}`,
        `--listen-client-urls=${endpoint}`,
        `--advertise-client-urls=${endpoint}`,
        `--listen-peer-urls=${peerUrl}`,
        `--initial-advertise-peer-urls=${peerUrl}`,
        `--initial-cluster=e2e=${peerUrl}`,
        '--initial-cluster-state=new',
        '--unsafe-no-fsync',
      ],
      logPath: join(dir, 'etcd.log'),
    })
    try {
      await waitUntilReady(managed, () => httpOk(`${endpoint}/health`), { timeoutMs: 30_000 })
    } catch (error) {
      await managed.stop()
      throw error
    }
    return { process: managed, endpoint }
  })
}

/**
 * Compacts away etcd's history, so a watch or list from any resourceVersion older than the newest
 * one gets 410 Gone. Uses etcd's v3 JSON gateway. Returns the revision compacted to.
 */
export async function compactEtcd(endpoint: string): Promise<number> {
  // Compacting at revision R keeps R itself, so a watch from R-1 (it starts at R) would still be
  // accepted but get events without their previous value (apiserver: 500, not 410). A write outside
  // the apiserver's /registry prefix moves R one past every resourceVersion a client has seen.
  const put = await postEtcd(endpoint, '/v3/kv/put', {
    key: base64('/callcenter-e2e/compaction-marker'),
    value: base64(new Date().toISOString()),
  })
  const revision = Number((put as { header?: { revision?: string } }).header?.revision)
  if (!Number.isSafeInteger(revision) || revision <= 0) {
    throw new Error(`etcd at ${endpoint} returned no usable revision: ${JSON.stringify(put)}`)
  }
  await postEtcd(endpoint, '/v3/kv/compaction', { revision: String(revision), physical: true })
  return revision
}

function base64(text: string): string {
  return Buffer.from(text).toString('base64')
}

async function postEtcd(endpoint: string, path: string, body: object): Promise<unknown> {
  const response = await fetch(`${endpoint}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  })
  const text = await response.text()
  if (!response.ok) throw new Error(`etcd ${path} failed with HTTP ${response.status}: ${text}`)
  return JSON.parse(text) as unknown
}
