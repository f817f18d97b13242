// Wires the operator together: one client, one informer per kind shared by every controller, the
// controllers, leader election (losing the lease stops every controller), and the HTTP endpoints.
import type { KubeConfig } from '@kubernetes/client-node'
import type { FastifyInstance } from 'fastify'
import type { SkillGroup } from '../crds/types.ts'
import type { Problem } from './checks/problem.ts'
import { types } from './controllers/kinds.ts'
import { MANAGED_BY_SELECTOR, ownedTypes, siteOfOwned, type OwnedInformers } from './controllers/owned.ts'
import { failoverController } from './controllers/failover/failover-controller.ts'
import { realFailoverIO } from './controllers/failover/io.ts'
import {
  EDGE_SLICE_SELECTOR,
  edgePods,
  endpointSliceType,
  SLICES_BY_SERVICE,
  sliceService,
  type EndpointSlice,
} from './controllers/failover/edge-pods.ts'
import { holdController, holdStatusWriter } from './controllers/hold/controller.ts'
import { plannedControllers } from './controllers/planned/controller.ts'
import { realPlannedIO } from './controllers/planned/io.ts'
import { projectionControllers } from './controllers/projection.ts'
import { siteController } from './controllers/site.ts'
import type { ProvisioningSettings } from './controllers/site-objects.ts'
import { addIndexes, validationControllers, type Informers } from './controllers/validation.ts'
import { Applier } from './runtime/apply.ts'
import type { Controller } from './runtime/controller.ts'
import { EventRecorder } from './runtime/events.ts'
import { Informer } from './runtime/informer.ts'
import { KubeClient } from './runtime/kube-client.ts'
import { LeaderElector } from './runtime/leader.ts'
import type { Logger } from './runtime/log.ts'
import { createMetrics, observeInformers, observeQueues, resourceOfPath, type OperatorMetrics } from './runtime/metrics.ts'
import { collectionPath, coreTypes, objectPath, type KubeObject } from './runtime/resource.ts'
import { serveHealth, serveMetrics } from './runtime/serve.ts'

export interface ManagerOptions {
  kubeConfig: KubeConfig
  log: Logger
  identity: string
  /** Watch one namespace; undefined watches all. */
  watchNamespace?: string
  /** Provision only this site (multi-cluster); undefined provisions every site. */
  site?: string
  leaderElection?: { namespace: string; name: string }
  healthPort?: number
  metricsPort?: number
  host?: string
  checkSkillGroupRules: (group: SkillGroup) => Problem[]
  settings: ProvisioningSettings
  /** Where the failover controller writes each failover's JSON report and SVG chart; none written without it. */
  reportDir?: string
}

export interface Manager {
  informers: Informers
  metrics: OperatorMetrics
  isLeader(): boolean
  /** Resolves when leadership is lost (never, without leader election). */
  lost: Promise<void>
  stop(): Promise<void>
}

export async function startManager(options: ManagerOptions): Promise<Manager> {
  const { log } = options
  const metrics = createMetrics()
  const client = new KubeClient(options.kubeConfig, (method, path) => metrics.apiWrites.inc({ method, resource: resourceOfPath(path) }))
  const informer = <T extends KubeObject>(type: (typeof types)[keyof typeof types]) =>
    new Informer<T>(client, type, log, { namespace: options.watchNamespace })
  const informers: Informers = {
    sites: informer(types.site),
    trunks: informer(types.trunk),
    skillGroups: informer(types.skillGroup),
    agentSeats: informer(types.agentSeat),
    phoneMACs: informer(types.phoneMAC),
  }
  addIndexes(informers)
  const owned: OwnedInformers = new Map(
    ownedTypes.map((type) => {
      const ownedInformer = new Informer<KubeObject>(client, type, log, {
        namespace: options.watchNamespace,
        labelSelector: MANAGED_BY_SELECTOR,
      })
      ownedInformer.store.addIndex('site', siteOfOwned)
      return [type.kind, ownedInformer]
    }),
  )
  // The pods behind every Managed edge's agent Service: the failover and planned-switchover controllers switch each one.
  const edgeSlices = new Informer<EndpointSlice>(client, endpointSliceType, log, {
    namespace: options.watchNamespace,
    labelSelector: EDGE_SLICE_SELECTOR,
  })
  edgeSlices.store.addIndex(SLICES_BY_SERVICE, sliceService)
  const edgePodsOf = (namespace: string, service: string) =>
    edgePods(edgeSlices.store.byIndex(SLICES_BY_SERVICE, `${namespace}/${service}`))
  const all = [...(Object.values(informers) as Informer<KubeObject>[]), ...owned.values(), edgeSlices as Informer<KubeObject>]
  observeInformers(metrics, all)
  for (const i of all) i.start()

  const applier = new Applier(client)
  const events = new EventRecorder(client, options.identity, log)
  const shared = { applier, events, log, metrics }
  const projection = projectionControllers({
    informers,
    client,
    clusterDomain: options.settings.clusterDomain,
    log,
    metrics,
    ownSite: options.site,
  })
  const controllers: Controller<KubeObject>[] = [
    siteController({
      ...shared,
      informers,
      owned,
      client,
      settings: options.settings,
      ownSite: options.site,
    }) as unknown as Controller<KubeObject>,
    holdController({
      informers,
      status: holdStatusWriter(client),
      events,
      log,
      metrics,
      ownSite: options.site,
    }) as unknown as Controller<KubeObject>,
    failoverController({
      informers,
      io: realFailoverIO(client, options.reportDir),
      events,
      log,
      metrics,
      clusterDomain: options.settings.clusterDomain,
      ownSite: options.site,
      edgePods: edgePodsOf,
    }) as unknown as Controller<KubeObject>,
    ...(plannedControllers({
      informers,
      io: realPlannedIO(client),
      events,
      log,
      metrics,
      clusterDomain: options.settings.clusterDomain,
      ownSite: options.site,
      edgePods: edgePodsOf,
    }) as unknown as Controller<KubeObject>[]),
    ...validationControllers(informers, shared, options.checkSkillGroupRules),
    ...projection.controllers,
  ]

  observeQueues(metrics, controllers)

  const servers: FastifyInstance[] = []
  const host = options.host ?? '0.0.0.0'
  let healthy = true
  if (options.healthPort !== undefined) {
    servers.push(await serveHealth(options.healthPort, host, { healthy: () => healthy, ready: () => all.every((i) => i.hasSynced()) }))
  }
  if (options.metricsPort !== undefined) servers.push(await serveMetrics(options.metricsPort, host, metrics.registry))

  const startControllers = () => {
    for (const controller of controllers) void controller.start()
  }
  const stopControllers = () => Promise.all(controllers.map((c) => c.stop()))
  const electionStop = new AbortController()
  let elector: LeaderElector | undefined
  let markLost = () => {}
  const lost = new Promise<void>((resolve) => (markLost = resolve))
  let election: Promise<void> = Promise.resolve()
  if (options.leaderElection) {
    const leaseElector = new LeaderElector(client, { ...options.leaderElection, identity: options.identity }, log)
    elector = leaseElector
    // Only the elector's own Lease requests may go out without a valid lease: a replica resumed after a
    // freeze past its lease must not write what its controllers had queued.
    const leasePath = objectPath(coreTypes.lease, options.leaderElection.namespace, options.leaderElection.name)
    const leaseCollection = collectionPath(coreTypes.lease, options.leaderElection.namespace)
    client.guardWrites((_method, path) =>
      [leasePath, leaseCollection].includes(path.split('?')[0] ?? '') || leaseElector.holdsLease()
        ? undefined
        : 'this replica does not hold the leader lease',
    )
    election = elector.run(
      electionStop.signal,
      () => {
        metrics.isLeader.set(1)
        startControllers()
      },
      () => {
        metrics.isLeader.set(0)
        healthy = false
        void stopControllers().then(markLost)
      },
    )
  } else {
    startControllers()
  }

  return {
    informers,
    metrics,
    isLeader: () => elector?.isLeader() ?? true,
    lost,
    async stop() {
      electionStop.abort()
      await election
      await stopControllers()
      await Promise.all(all.map((i) => i.stop()))
      await Promise.all(servers.map((s) => s.close()))
      projection.close()
      client.close()
    },
  }
}
