// The Site controller: finalizer first; cross-object checks; provisioning of every Managed component
// (External ones create nothing); status; and on deletion, once the hold controller let it go ahead, the
// site's agents drained to the other sites (bounded by a timeout), then every owned object removed before
// the finalizer goes.
import type { Site } from '../../crds/types.ts'
import { drillStoppedComponents } from '../failover/drill.ts'
import { siteProblems } from '../checks/references.ts'
import type { Problem } from '../checks/problem.ts'
import { EdgeInputError } from '../render/kamailio/index.ts'
import type { Applier } from '../runtime/apply.ts'
import { Controller, specChanged, type ReconcileResult, type Reconciler } from '../runtime/controller.ts'
import type { EventRecorder } from '../runtime/events.ts'
import type { KubeClient } from '../runtime/kube-client.ts'
import type { Logger } from '../runtime/log.ts'
import type { OperatorMetrics } from '../runtime/metrics.ts'
import { objectKey, type KubeObject } from '../runtime/resource.ts'
import { deletionStep } from './hold/deletion.ts'
import { siteInEffect, trafficInEffect } from './hold/effective.ts'
import { scoped, types, type Cached } from './kinds.ts'
import { siteOfOwned, type OwnedInformers } from './owned.ts'
import { deprovisionSite, provisionSite } from './provision.ts'
import type { ProvisioningSettings } from './site-objects.ts'
import { siteStatus, type SiteObservation, type WorkloadReadiness } from './site-status.ts'
import { knownIn, type Informers } from './validation.ts'

export const SITE_FINALIZER = 'callcenter.dev/site-cleanup'

/** The drill that holds some of the Site's components at zero replicas now, if one does. */
function runningDrill(site: Site): SiteObservation['drill'] {
  const stopped = drillStoppedComponents(site.spec.drill, site.status?.lastDrill)
  return site.spec.drill && stopped.length > 0 ? { name: site.spec.drill.name, stopped } : undefined
}

export interface SiteControllerOptions {
  informers: Informers
  owned: OwnedInformers
  client: KubeClient
  applier: Applier
  events: Pick<EventRecorder, 'record'>
  log: Logger
  metrics: OperatorMetrics
  settings: ProvisioningSettings
  /** With --site, this operator provisions only this site (multi-cluster). */
  ownSite?: string
  now?: () => Date
  /** How long a deleted Site's agents are given to move to the other sites before its objects go; default 10 min. */
  deletionDrainTimeoutMs?: number
}

const inNamespace = <T extends KubeObject>(list: T[], namespace: string | undefined) =>
  list.filter((o) => o.metadata.namespace === namespace)

export function siteController(options: SiteControllerOptions): Controller<Cached<Site>> {
  const { informers, owned } = options
  const controller = new Controller<Cached<Site>>({
    name: 'site',
    primary: informers.sites,
    log: options.log,
    metrics: options.metrics,
    workers: 2,
    reconcile: siteReconciler(options),
  })
  const sitesInNamespaceOf = (object: KubeObject) => inNamespace(informers.sites.store.list(), object.metadata.namespace).map(objectKey)
  controller.watch({ informer: informers.agentSeats, map: (seat) => [scoped(seat, seat.spec.homeSite)], specChangesOnly: true })
  controller.watch({
    informer: informers.skillGroups,
    map: (group) => informers.sites.store.byIndex('poolSkillGroup', objectKey(group)).map(objectKey),
    specChangesOnly: true,
  })
  // Every edge routes to every site and honours every Trunk: a change to either re-renders all edges.
  controller.watch({ informer: informers.trunks, map: sitesInNamespaceOf, specChangesOnly: true })
  controller.watch({
    informer: informers.sites,
    map: sitesInNamespaceOf,
    relevant: (previous, site) => specChanged(previous, site) || trafficInEffect(previous) !== trafficInEffect(site),
  })
  for (const informer of owned.values()) controller.watch({ informer, map: siteOfOwned })
  return controller
}

export function siteReconciler(options: SiteControllerOptions): Reconciler {
  const { informers, owned, client, applier, events } = options
  const now = options.now ?? (() => new Date())
  const drainTimeoutMs = options.deletionDrainTimeoutMs ?? 600_000
  /** A deleted Site: once its deletion went ahead, its agents drain to the other sites, then its objects and finalizer go. */
  const finishDeletion = async (site: Cached<Site>): Promise<ReconcileResult | undefined> => {
    const peersRemain = inNamespace(informers.sites.store.list(), site.metadata.namespace).some(
      (other) => other.metadata.name !== site.metadata.name && other.metadata.deletionTimestamp === undefined,
    )
    const step = deletionStep(site, now(), drainTimeoutMs, peersRemain)
    // Held while it is the last site serving: the hold controller's decision (a status write) brings it back.
    if (step.kind === 'held') return undefined
    if (step.kind === 'draining') {
      await events.record(site, {
        type: 'Normal',
        reason: 'DeletionDraining',
        action: 'Delete',
        note: `site ${site.metadata.name} is being deleted: its agents move to the other sites first (at most ${drainTimeoutMs / 1000} s)`,
      })
      return { requeueAfterMs: step.checkAgainInMs }
    }
    if (step.agentsLeft > 0) {
      await events.record(site, {
        type: 'Warning',
        reason: 'DeletionDrainTimedOut',
        action: 'Delete',
        note: `${step.agentsLeft} agent(s) still signed in at site ${site.metadata.name} after ${drainTimeoutMs / 1000} s: removing it anyway`,
      })
    }
    const remaining = await deprovisionSite(site, { applier, informers: owned })
    if (remaining > 0) return { requeueAfterMs: 1000 }
    if (await applier.setFinalizer(types.site, site, SITE_FINALIZER, false)) {
      await events.record(site, { type: 'Normal', reason: 'CleanedUp', action: 'Delete', note: 'every object of the site was removed' })
    }
    return undefined
  }

  return async (key) => {
    const site = informers.sites.store.get(key)
    if (!site) return undefined
    if (options.ownSite && site.metadata.name !== options.ownSite) return undefined
    if (site.metadata.deletionTimestamp) return finishDeletion(site)
    if (await applier.setFinalizer(types.site, site, SITE_FINALIZER, true)) return undefined // the update brings us back

    const problems = siteProblems(site, knownIn(informers, site.metadata.namespace))
    let workloads: WorkloadReadiness[] = []
    let provisioningError: Problem | undefined
    if (problems.length === 0) {
      try {
        const neighbours = {
          // The Managed edges route by the traffic in effect: a held Drain or Fenced is not rendered.
          sites: inNamespace(informers.sites.store.list(), site.metadata.namespace).map(siteInEffect),
          trunks: inNamespace(informers.trunks.store.list(), site.metadata.namespace),
        }
        const result = await provisionSite(site, neighbours, options.settings, { client, applier, informers: owned })
        workloads = result.workloads
      } catch (error) {
        if (!(error instanceof EdgeInputError)) throw error
        provisioningError = { reason: 'EdgeRoutingInvalid', message: error.message.replaceAll('\n', ' ') }
      }
    }
    const status = siteStatus(
      site,
      {
        problems,
        workloads,
        provisioningError,
        drill: runningDrill(site),
        agentsHomed: informers.agentSeats.store.byIndex('homeSite', scoped(site, site.metadata.name)).length,
      },
      now(),
    )
    const previous = site.status?.conditions?.find((c) => c.type === 'Provisioned')
    const provisioned = status.conditions?.find((c) => c.type === 'Provisioned')
    await applier.applyStatus(types.site, site, status)
    if (provisioned?.status === 'False' && (previous?.reason !== provisioned.reason || previous.message !== provisioned.message)) {
      await events.record(site, { type: 'Warning', reason: provisioned.reason, action: 'Provision', note: provisioned.message })
    } else if (provisioned?.status === 'True' && previous?.status !== 'True') {
      await events.record(site, { type: 'Normal', reason: 'Provisioned', action: 'Provision', note: provisioned.message })
    }
    return undefined
  }
}
