// The demo, step by step: a cluster (local control plane, or KUBECONFIG's), the CRDs, two sites of real
// processes, the operator, the Sites and the Trunk, a sign-in storm of simulated agents, carrier calls
// without pause, then a SiteDown drill on shanghai started by `kubectl patch`, followed through
// status.lastDrill until its report. Everything started is stopped again, in reverse order, whatever
// happens (an error, Ctrl-C).
//
// The demo reuses the local test bed: e2e/controlplane (etcd + kube-apiserver), e2e/sites (two sites of
// real processes in External mode, the agent fleet and the carrier calls).
import { copyFile, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename, join, resolve } from 'node:path'
import { setTimeout as delay } from 'node:timers/promises'
import { KubeConfig } from '@kubernetes/client-node'
import type { Site } from '../crds/types.ts'
import { types } from '../operator/controllers/kinds.ts'
import { KubeClient } from '../operator/runtime/kube-client.ts'
import { collectionPath } from '../operator/runtime/resource.ts'
import { signInFleet, type SignedInFleet } from '../e2e/sites/agents.ts'
import { NAMESPACE, SITE_NAMES, type SiteName } from '../e2e/sites/manifests.ts'
import { startTwoSites, type TwoSites } from '../e2e/sites/two-sites.ts'
import { startCallTraffic, type CallTraffic } from './calls.ts'
import { commandLine, connectCluster, mustSucceed, type DemoCluster } from './cluster.ts'
import { drillProgress, isDrillOver, reportFiles, type DemoModel, type DrillFigures, type Step } from './model.ts'
import { startDemoOperator } from './operator.ts'
import type { DemoOptions } from './options.ts'

const DRILL_SITE: SiteName = 'shanghai'
const SURVIVOR: SiteName = 'nantong'
const POLL_MS = 500
const HEALTHY_TIMEOUT_MS = 120_000
/** Calls before the drill, so both sites are seen handling them. */
const WARM_UP_MS = 10_000
/** From the patch to status.lastDrill: an operator without drills never writes it. */
const DRILL_START_TIMEOUT_MS = 30_000
/** After the drill's own duration: confirmation, flip, re-login, restore. */
const DRILL_AFTER_TIMEOUT_MS = 240_000

const READ_SITES_FAILED = 'reading the Sites: '

const STEPS: readonly Pick<Step, 'id' | 'label' | 'detail'>[] = [
  { id: 'cluster', label: 'cluster', detail: 'etcd + kube-apiserver on loopback' },
  { id: 'sites', label: 'two sites', detail: 'per site: Redis, login, ACD, Kamailio edge, SIPp as the soft switch, drill agent' },
  { id: 'crds', label: 'CRDs', detail: 'kubectl apply -f crds/' },
  { id: 'operator', label: 'operator', detail: 'operator/main.ts as a local process' },
  { id: 'manifests', label: 'Sites, Trunk', detail: 'External Sites with the real addresses and drill agents, one Trunk split 50/50' },
  { id: 'signin', label: 'sign-in storm', detail: 'every agent signs in at home, standby connection to the other site' },
  { id: 'healthy', label: 'heartbeats', detail: 'the operator probes both sites until Healthy' },
  { id: 'calls', label: 'carrier calls', detail: '021 callers at the shanghai edge, 0513 callers at nantong, without pause' },
  { id: 'drill', label: 'SiteDown drill', detail: 'kubectl patch site shanghai (spec.drill)' },
  { id: 'report', label: 'report', detail: 'the drill’s JSON report and SVG chart' },
]

export class AbortedError extends Error {
  constructor() {
    super('stopped (Ctrl-C)')
    this.name = 'AbortedError'
  }
}

export interface DemoResult {
  /** The report files copied to the output folder. */
  report?: { json: string; svg: string }
  /** The drill's figures: the report's summary and phases (without the per-agent list). */
  figures?: DrillFigures
}

export class DemoRun {
  readonly model: DemoModel
  private readonly options: DemoOptions
  private readonly signal: AbortSignal
  private readonly cleanups: { what: string; run: () => Promise<void> }[] = []
  /** Once stopping, whatever still gets started is stopped right away. */
  private stopping = false
  private workDir = ''
  private cluster?: DemoCluster
  private client?: KubeClient
  private sites?: TwoSites
  private fleet?: SignedInFleet
  private traffic?: CallTraffic
  private latestSites = new Map<string, Site>()
  private drillStartedAt = 0

  constructor(options: DemoOptions, signal: AbortSignal) {
    this.options = options
    this.signal = signal
    const now = Date.now()
    this.model = {
      target: process.env['KUBECONFIG'] ? 'the cluster of KUBECONFIG' : 'local control plane',
      agents: options.agents,
      startedAt: now,
      now,
      steps: STEPS.map((step) => ({ ...step, state: 'pending' })),
      sites: SITE_NAMES.map((name) => ({ name, agentsSignedIn: 0, agentsHomed: 0, callsHandled: 0 })),
      calls: { completed: 0, failed: 0 },
    }
  }

  /** The model as of now (the screen redraws from it). */
  snapshot(): DemoModel {
    this.model.now = Date.now()
    if (this.traffic) {
      this.model.calls = { completed: this.traffic.completed, failed: this.traffic.failed }
      for (const row of this.model.sites) row.callsHandled = this.traffic.handled[row.name as SiteName]
    }
    if (this.fleet && this.model.relogin && this.model.relogin.finishedAt === undefined) {
      this.model.relogin.done = this.fleet.relogins(DRILL_SITE, SURVIVOR, this.drillStartedAt).times.length
      if (this.model.relogin.done >= this.model.relogin.total) this.model.relogin.finishedAt = Date.now()
    }
    return this.model
  }

  async run(): Promise<DemoResult> {
    this.workDir = await mkdtemp(join(tmpdir(), 'callcenter-demo-'))
    this.onCleanup('remove the temp dir', () => rm(this.workDir, { recursive: true, force: true }))
    const poller = this.startPolling()
    try {
      // Both settle before a failure is told, so that whatever one of them started is known and stopped.
      const started = await Promise.allSettled([
        this.step('cluster', () => this.startCluster()),
        this.step('sites', () => this.startSites()),
      ])
      for (const each of started) if (each.status === 'rejected') throw each.reason
      await this.step('crds', () => this.installCrds())
      await this.step('operator', () => this.startOperator())
      await this.step('manifests', () => this.applyManifests())
      await this.step('signin', () => this.signIn())
      await this.step('healthy', () => this.waitHealthy())
      await this.step('calls', () => this.startCalls())
      const drill = await this.step('drill', () => this.runDrill())
      return await this.step('report', () => this.collectReport(drill))
    } finally {
      poller.stop()
    }
  }

  /** Stops everything started, newest first; never throws (reports what it could not stop). */
  async stop(say: (line: string) => void): Promise<void> {
    this.stopping = true
    this.say = say
    while (this.cleanups.length > 0) {
      const cleanup = this.cleanups.pop()
      if (!cleanup) break
      try {
        await cleanup.run()
      } catch (error) {
        say(`could not ${cleanup.what}: ${(error as Error).message}`)
      }
    }
  }

  private say: (line: string) => void = () => {}

  private onCleanup(what: string, run: () => Promise<void>): void {
    if (!this.stopping) {
      this.cleanups.push({ what, run })
      return
    }
    run().catch((error: unknown) => this.say(`could not ${what}: ${(error as Error).message}`))
  }

  private stepOf(id: string): Step {
    const step = this.model.steps.find((each) => each.id === id)
    if (!step) throw new Error(`no demo step ${id}`)
    return step
  }

  private async step<T>(id: string, action: () => Promise<T>): Promise<T> {
    this.checkAborted()
    const step = this.stepOf(id)
    step.state = 'running'
    step.startedAt = Date.now()
    try {
      const result = await action()
      step.state = 'done'
      return result
    } catch (error) {
      step.state = 'failed'
      throw error
    } finally {
      step.finishedAt = Date.now()
    }
  }

  private checkAborted(): void {
    if (this.signal.aborted) throw new AbortedError()
  }

  private note(text: string): void {
    this.model.note = text
  }

  private async startCluster(): Promise<void> {
    const cluster = await connectCluster()
    this.cluster = cluster
    this.onCleanup('stop the control plane', () => cluster.stop())
    this.model.target = cluster.description
    const kubeConfig = new KubeConfig()
    if (cluster.local) kubeConfig.loadFromFile(cluster.kubeconfig)
    else kubeConfig.loadFromDefault()
    this.client = new KubeClient(kubeConfig)
    this.stepOf('cluster').detail = cluster.local ? 'etcd + kube-apiserver on loopback' : `KUBECONFIG=${cluster.kubeconfig}`
    this.model.hint = `KUBECONFIG=${cluster.kubeconfig} ${cluster.kubectlPath} get sites -n ${NAMESPACE} -w`
    this.checkAborted()
  }

  private async startSites(): Promise<void> {
    const sites = await startTwoSites({ agents: this.options.agents })
    this.onCleanup('stop the two sites', () => sites.stop())
    this.sites = sites
    for (const row of this.model.sites) {
      row.agentsHomed = sites.fleet.agentSeats.filter((seat) => seat.spec.homeSite === row.name).length
    }
    this.checkAborted()
  }

  private async kubectl(args: readonly string[], input?: string): Promise<string> {
    const cluster = this.requireCluster()
    return mustSucceed(await cluster.kubectl(args, input), args)
  }

  private async installCrds(): Promise<void> {
    await this.kubectl(['apply', '-f', 'crds/'])
    await this.kubectl([
      'wait',
      '--for=condition=Established',
      '--timeout=60s',
      'crd',
      '-l',
      'app.kubernetes.io/part-of=callcenter-operator',
    ])
  }

  private async startOperator(): Promise<void> {
    const cluster = this.requireCluster()
    const reportDir = join(this.workDir, 'reports')
    await mkdir(reportDir, { recursive: true })
    const operator = await startDemoOperator({
      kubeconfig: cluster.kubeconfig,
      namespace: NAMESPACE,
      reportDir,
      logPath: join(this.workDir, 'operator.log'),
    })
    this.onCleanup('stop the operator', async () => {
      await operator.stop()
      if (this.failed()) await this.keepLog(operator.logPath)
    })
    this.stepOf('operator').detail = `pid ${operator.pid}, --report-dir ${reportDir}`
  }

  private failed(): boolean {
    return !this.signal.aborted && this.model.steps.some((step) => step.state === 'failed')
  }

  /** A failed demo keeps the operator's log in the output folder. */
  private async keepLog(logPath: string): Promise<void> {
    const outDir = resolve(this.options.outDir)
    await mkdir(outDir, { recursive: true })
    await copyFile(logPath, join(outDir, basename(logPath)))
  }

  private async applyManifests(): Promise<void> {
    const cluster = this.requireCluster()
    const sites = this.requireSites()
    const namespaceExists = (await cluster.kubectl(['get', 'namespace', NAMESPACE])).code === 0
    if (!namespaceExists) {
      await this.kubectl(['create', 'namespace', NAMESPACE])
      if (!cluster.local)
        this.onCleanup(`delete the namespace ${NAMESPACE}`, async () => {
          await cluster.kubectl(['delete', 'namespace', NAMESPACE, '--wait=false'])
        })
    }
    // The Secrets hold the drill agents' tokens, which the Sites' spec.drillAgent names.
    const objects = [...sites.secretManifests(), ...sites.siteManifests(), ...sites.trunkManifests()]
    const list = JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects })
    await this.kubectl(['apply', '-f', '-'], list)
    if (!cluster.local) {
      // On a cluster that outlives the demo, the Sites (which point at processes about to stop) go while the operator still runs: it removes their finalizer.
      this.onCleanup('delete the demo’s Sites, Trunk and Secrets', async () => {
        const deleted = await cluster.kubectl(['delete', '-f', '-', '--ignore-not-found', '--timeout=60s'], list)
        if (deleted.code !== 0) throw new Error(deleted.stderr.trim())
      })
    }
    this.stepOf('manifests').detail = `kubectl apply: ${objects.map((object) => `${object.kind}/${object.metadata.name}`).join(', ')}`
  }

  private async signIn(): Promise<void> {
    const sites = this.requireSites()
    this.model.signIn = { done: 0, total: this.options.agents, startedAt: Date.now() }
    const fleet = await signInFleet(sites, { agents: this.options.agents, concurrency: 50 })
    this.fleet = fleet
    this.onCleanup('disconnect the agents', () => Promise.resolve(fleet.stop()))
    this.model.signIn.done = fleet.signIn.succeeded
    this.model.signIn.finishedAt = Date.now()
    const { succeeded, failed, perSecond, latencyMs } = fleet.signIn
    this.stepOf('signin').detail = `${succeeded} signed in, ${failed} failed, ${perSecond}/s, sign-in p99 ${Math.round(latencyMs.p99)} ms`
    if (failed > 0) throw new Error(`${failed} agents could not sign in: ${JSON.stringify(fleet.signIn.failures)}`)
  }

  private async waitHealthy(): Promise<void> {
    await this.waitFor('both sites Healthy', HEALTHY_TIMEOUT_MS, () =>
      SITE_NAMES.every((name) => this.latestSites.get(name)?.status?.health === 'Healthy'),
    )
  }

  private async startCalls(): Promise<void> {
    const sites = this.requireSites()
    const traffic = startCallTraffic(sites, { ratePerEdge: this.options.callRate, onError: (message) => this.note(message) })
    this.traffic = traffic
    this.onCleanup('stop the calls', () => traffic.stop())
    await this.waitFor('calls handled at both sites', WARM_UP_MS * 3, () => SITE_NAMES.every((site) => traffic.handled[site] > 0))
    await this.sleep(WARM_UP_MS)
    this.stepOf('calls').detail = `${this.options.callRate} calls/s at each edge, continuing through the drill`
  }

  private async runDrill(): Promise<Site> {
    const name = `demo-${new Date().toISOString().slice(11, 19).replace(/:/g, '')}`
    const patch = { spec: { drill: { name, scenario: 'SiteDown', durationSeconds: this.options.drillSeconds } } }
    const args = ['patch', 'site', DRILL_SITE, '-n', NAMESPACE, '--type', 'merge', '-p', JSON.stringify(patch)]
    this.drillStartedAt = Date.now()
    this.model.drill = {
      site: DRILL_SITE,
      name,
      scenario: 'SiteDown',
      durationSeconds: this.options.drillSeconds,
      command: commandLine(args),
      marks: {},
    }
    this.model.relogin = { done: 0, total: this.fleet?.homes[DRILL_SITE] ?? 0, startedAt: this.drillStartedAt }
    await this.kubectl(args)
    await this.waitFor(
      `status.lastDrill ${name} (does the operator run drills?)`,
      DRILL_START_TIMEOUT_MS,
      () => this.model.drill?.state !== undefined,
    )
    await this.waitFor(`drill ${name} Completed`, this.options.drillSeconds * 1000 + DRILL_AFTER_TIMEOUT_MS, () =>
      isDrillOver(this.model.drill),
    )
    const site = this.latestSites.get(DRILL_SITE)
    if (!site || this.model.drill.state !== 'Completed')
      throw new Error(`drill ${name} ended ${this.model.drill.state ?? 'unknown'}; see kubectl describe site ${DRILL_SITE}`)
    if (this.model.relogin.finishedAt === undefined) this.model.relogin.finishedAt = Date.now()
    const health = site.status?.health ?? 'unknown'
    this.note(
      `${DRILL_SITE} is back (${health} until its heartbeats hold for the minimum dwell); failback is Manual: traffic stays at ${SURVIVOR}`,
    )
    return site
  }

  private async collectReport(site: Site): Promise<DemoResult> {
    const written = reportFiles(site.status?.lastDrill?.timeline.report)
    if (!written) throw new Error(`drill ${site.status?.lastDrill?.name ?? ''} has no report path in status.lastDrill.timeline.report`)
    const outDir = resolve(this.options.outDir)
    await mkdir(outDir, { recursive: true })
    const copied = { json: join(outDir, basename(written.json)), svg: join(outDir, basename(written.svg)) }
    await copyFile(written.json, copied.json)
    await copyFile(written.svg, copied.svg)
    this.model.report = copied
    const report = JSON.parse(await readFile(copied.json, 'utf8')) as Partial<DrillFigures>
    return { report: copied, figures: { summary: report.summary ?? {}, phases: report.phases ?? [] } }
  }

  /** Reads the Sites and the login services' sessions every POLL_MS, into the model. */
  private startPolling(): { stop: () => void } {
    let running = true
    const loop = async () => {
      while (running) {
        await Promise.allSettled([this.pollSites(), this.pollSessions()])
        await delay(POLL_MS)
      }
    }
    void loop()
    return { stop: () => (running = false) }
  }

  private async pollSites(): Promise<void> {
    if (!this.client || this.stepOf('manifests').state !== 'done') return
    try {
      const list = await this.client.json<{ items: Site[] }>('GET', collectionPath(types.site, NAMESPACE))
      for (const site of list.items) this.latestSites.set(site.metadata.name, site)
      if (this.model.note?.startsWith(READ_SITES_FAILED) === true) delete this.model.note
    } catch (error) {
      this.note(`${READ_SITES_FAILED}${(error as Error).message}`)
      return
    }
    for (const row of this.model.sites) row.health = this.latestSites.get(row.name)?.status?.health
    const drill = this.model.drill
    if (drill) Object.assign(drill, drillProgress(this.latestSites.get(drill.site), drill.name, this.drillStartedAt))
  }

  /**
   * Agents signed in per site: during the sign-in storm the login services' open sessions; after it, where
   * the agents themselves are signed in (a site's Redis may still hold sessions of agents that moved away,
   * until they time out).
   */
  private async pollSessions(): Promise<void> {
    const sites = this.sites
    if (!sites) return
    if (this.fleet) {
      const { bySite } = this.fleet.simulator.census()
      for (const row of this.model.sites) row.agentsSignedIn = bySite[row.name] ?? 0
      return
    }
    await Promise.all(
      this.model.sites.map(async (row) => {
        row.agentsSignedIn = await activeSessions(sites.sites[row.name as SiteName].loginUrl)
      }),
    )
    const signIn = this.model.signIn
    if (signIn && signIn.finishedAt === undefined) signIn.done = this.model.sites.reduce((sum, row) => sum + (row.agentsSignedIn ?? 0), 0)
  }

  private async waitFor(what: string, timeoutMs: number, done: () => boolean): Promise<void> {
    const deadline = Date.now() + timeoutMs
    while (!done()) {
      this.checkAborted()
      if (Date.now() > deadline) throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}`)
      await delay(100)
    }
  }

  private async sleep(ms: number): Promise<void> {
    await this.waitFor(
      'a pause',
      ms + 1000,
      (() => {
        const until = Date.now() + ms
        return () => Date.now() >= until
      })(),
    )
  }

  private requireCluster(): DemoCluster {
    if (!this.cluster) throw new Error('the cluster is not running')
    return this.cluster
  }

  private requireSites(): TwoSites {
    if (!this.sites) throw new Error('the sites are not running')
    return this.sites
  }
}

/** login_active_sessions from a login service's /metrics; null when it does not answer. */
export async function activeSessions(loginUrl: string): Promise<number | null> {
  try {
    const response = await fetch(`${loginUrl}/metrics`, { signal: AbortSignal.timeout(1000) })
    if (!response.ok) return null
    return sessionsFromMetrics(await response.text())
  } catch {
    return null
  }
}

export function sessionsFromMetrics(text: string): number | null {
  const line = text.split('\n').find((each) => each.startsWith('login_active_sessions'))
  const value = Number(line?.split(' ').pop())
  return line === undefined || !Number.isFinite(value) ? null : value
}
