// Every status the apiserver stores for the Sites of a namespace, as `kubectl get sites --watch` sees
// them (each write is one line), so a test can count heartbeat transitions that last less than a poll.
// The watch is started again if kubectl exits (the apiserver ends a watch after a while).
import { spawn, type ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'
import { toolPath } from '../controlplane/tools.ts'

export interface SiteSnapshot {
  /** Epoch ms when the line arrived. */
  at: number
  site: string
  health: string
  suspectAt: string
  failedOver: boolean
  lastFailover: string
}

export interface SiteWatch {
  snapshots: SiteSnapshot[]
  /** How often kubectl had to be started again. */
  restarts(): number
  stop(): void
}

/** kubectl prints each Site on its own, the first ones as well as every change after. */
const TEMPLATE =
  '{.metadata.name}|{.status.health}|{.status.heartbeat.suspectAt}|{.status.heartbeat.failedOver}|{.status.lastFailover.id}{"\\n"}'

function parseSnapshot(line: string, at: number): SiteSnapshot | undefined {
  const [site = '', health = '', suspectAt = '', failedOver = '', lastFailover = ''] = line.split('|')
  if (site === '') return undefined
  return { at, site, health, suspectAt, failedOver: failedOver === 'true', lastFailover }
}

export function watchSites(kubeconfigPath: string, namespace: string): SiteWatch {
  const snapshots: SiteSnapshot[] = []
  let child: ChildProcess | undefined
  let stopped = false
  let starts = 0
  const start = () => {
    starts++
    const kubectl = spawn(
      toolPath('kubectl'),
      [`--kubeconfig=${kubeconfigPath}`, 'get', 'sites', '-n', namespace, '--watch', '-o', `jsonpath=${TEMPLATE}`],
      { stdio: ['ignore', 'pipe', 'ignore'], env: { ...process.env, KUBECONFIG: kubeconfigPath } },
    )
    child = kubectl
    createInterface({ input: kubectl.stdout }).on('line', (line) => {
      const snapshot = parseSnapshot(line, Date.now())
      if (snapshot) snapshots.push(snapshot)
    })
    kubectl.once('exit', () => {
      if (!stopped) setTimeout(start, 200)
    })
  }
  start()
  return {
    snapshots,
    restarts: () => starts - 1,
    stop() {
      stopped = true
      child?.kill('SIGTERM')
    },
  }
}
