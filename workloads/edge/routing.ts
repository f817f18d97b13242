// Live routing changes on one Kamailio edge over its JSON-RPC: no restart, calls in progress untouched
// (a destination's state only decides where new calls go; in-dialog requests follow Record-Route).
//
// A site or destination set "inactive" is disabled administratively (state d): the OPTIONS probes do
// not bring it back, so failback stays a decision of the operator. "active" is active and probed (ap):
// if the soft switch is really down, the probes take it out again.
//
// What is set inactive here is remembered and set again after every reload of the dispatcher list, so a
// new list (new weights, new destinations) never undoes a flip; set active again, it is forgotten (a
// reloaded list has it active). Changes are applied one at a time.
import { readFile, rename, writeFile } from 'node:fs/promises'
import { callsToSite } from './call-counts.ts'
import { parseDispatcherList, type EdgeDestination } from './destinations.ts'
import type { KamailioRpc } from './rpc.ts'

export type RouteState = 'active' | 'inactive'

const KAMAILIO_STATE: Record<RouteState, string> = { active: 'ap', inactive: 'd' }

export class UnknownSiteError extends Error {
  constructor(site: string, known: readonly string[]) {
    super(`site "${site}" has no destinations at this edge (known: ${known.join(', ') || 'none'})`)
    this.name = 'UnknownSiteError'
  }
}

export class UnknownDestinationError extends Error {
  constructor(uri: string) {
    super(`destination ${uri} is in no dispatcher set of this edge`)
    this.name = 'UnknownDestinationError'
  }
}

export class DispatcherListRefusedError extends Error {
  constructor(path: string, cause: unknown) {
    super(
      `Kamailio refused the new dispatcher list ${path} (${cause instanceof Error ? cause.message : String(cause)}); the previous list is kept`,
      {
        cause,
      },
    )
    this.name = 'DispatcherListRefusedError'
  }
}

export interface EdgeRoutingOptions {
  rpc: KamailioRpc
  /** The dispatcher.list kamailio loads; needed only to replace the list. */
  dispatcherListPath?: string
}

export class EdgeRouting {
  readonly #rpc: KamailioRpc
  readonly #listPath: string | undefined
  /** The sites, and destinations (by `<uri>` or `<uri> <set>`), set inactive and not set active since. */
  readonly #inactiveSites = new Set<string>()
  readonly #inactiveDestinations = new Map<string, { uri: string; set?: number }>()
  #serial: Promise<unknown> = Promise.resolve()

  constructor(options: EdgeRoutingOptions) {
    this.#rpc = options.rpc
    this.#listPath = options.dispatcherListPath
  }

  /** The edge's view of every destination of every set. */
  async destinations(): Promise<EdgeDestination[]> {
    return parseDispatcherList(await this.#rpc.call('dispatcher.list'))
  }

  /** Calls in progress per destination site, for every site this edge has destinations of. */
  async callsPerSite(): Promise<Record<string, number>> {
    const sites = [...new Set((await this.destinations()).map((d) => d.site))].sort()
    const counts = await Promise.all(sites.map(async (site) => [site, await callsToSite(this.#rpc, site)] as const))
    return Object.fromEntries(counts)
  }

  /** Sends no new calls to a site (inactive), or sends them again (active); returns the site's destinations afterwards. */
  setSiteState(site: string, state: RouteState): Promise<EdgeDestination[]> {
    return this.#oneAtATime(async () => {
      const all = await this.destinations()
      const ofSite = all.filter((d) => d.site === site)
      if (ofSite.length === 0) throw new UnknownSiteError(site, [...new Set(all.map((d) => d.site))].sort())
      if (state === 'inactive') this.#inactiveSites.add(site)
      else this.#inactiveSites.delete(site)
      await this.#apply(ofSite, state)
      return (await this.destinations()).filter((d) => d.site === site)
    })
  }

  /** Sets one destination (in every set, or in one set) active or inactive. */
  setDestinationState(uri: string, state: RouteState, set?: number): Promise<EdgeDestination[]> {
    return this.#oneAtATime(async () => {
      const matching = (await this.destinations()).filter((d) => d.uri === uri && (set === undefined || d.set === set))
      if (matching.length === 0) throw new UnknownDestinationError(set === undefined ? uri : `${uri} (set ${set})`)
      const key = set === undefined ? uri : `${uri} ${set}`
      if (state === 'inactive') this.#inactiveDestinations.set(key, { uri, ...(set === undefined ? {} : { set }) })
      else this.#inactiveDestinations.delete(key)
      await this.#apply(matching, state)
      return (await this.destinations()).filter((d) => d.uri === uri)
    })
  }

  /**
   * Rewrites dispatcher.list and reloads it. Nothing is written while the JSON-RPC is unreachable, and
   * a list Kamailio refuses is rolled back, so the edge keeps routing as before. What was set inactive
   * live is set inactive again on the reloaded list (sites and destinations it no longer has are skipped).
   */
  replaceDispatcherList(content: string): Promise<EdgeDestination[]> {
    return this.#oneAtATime(async () => {
      const path = this.#listPath
      if (path === undefined) throw new Error('the edge agent was started without the path of dispatcher.list')
      await this.destinations()
      const previous = await readFile(path, 'utf8')
      await writeAtomically(path, content)
      try {
        await this.#rpc.call('dispatcher.reload')
      } catch (error) {
        await writeAtomically(path, previous)
        throw new DispatcherListRefusedError(path, error)
      }
      await this.#reapply(await this.destinations())
      return this.destinations()
    })
  }

  async #reapply(all: readonly EdgeDestination[]): Promise<void> {
    const inactive = all.filter(
      (d) =>
        d.state !== 'disabled' &&
        (this.#inactiveSites.has(d.site) ||
          [...this.#inactiveDestinations.values()].some(({ uri, set }) => d.uri === uri && (set === undefined || d.set === set))),
    )
    await this.#apply(inactive, 'inactive')
  }

  #oneAtATime<T>(change: () => Promise<T>): Promise<T> {
    const result = this.#serial.then(change)
    this.#serial = result.catch(() => undefined)
    return result
  }

  async #apply(destinations: readonly EdgeDestination[], state: RouteState): Promise<void> {
    for (const d of destinations) await this.#rpc.call('dispatcher.set_state', [KAMAILIO_STATE[state], d.set, d.uri])
  }
}

async function writeAtomically(path: string, content: string): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`
  await writeFile(temporary, content)
  await rename(temporary, path)
}
