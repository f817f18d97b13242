// Live routing changes on one Kamailio edge over its JSON-RPC: no restart, calls in progress untouched
// (a destination's state only decides where new calls go; in-dialog requests follow Record-Route).
//
// A site or destination set "inactive" is disabled administratively (state d): the OPTIONS probes do
// not bring it back, so failback stays a decision of the operator. "active" is active and probed (ap):
// if the soft switch is really down, the probes take it out again.
import { readFile, rename, writeFile } from 'node:fs/promises'
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

  constructor(options: EdgeRoutingOptions) {
    this.#rpc = options.rpc
    this.#listPath = options.dispatcherListPath
  }

  /** The edge's view of every destination of every set. */
  async destinations(): Promise<EdgeDestination[]> {
    return parseDispatcherList(await this.#rpc.call('dispatcher.list'))
  }

  /** Sends no new calls to a site (inactive), or sends them again (active); returns the site's destinations afterwards. */
  async setSiteState(site: string, state: RouteState): Promise<EdgeDestination[]> {
    const all = await this.destinations()
    const ofSite = all.filter((d) => d.site === site)
    if (ofSite.length === 0) throw new UnknownSiteError(site, [...new Set(all.map((d) => d.site))].sort())
    await this.#apply(ofSite, state)
    return (await this.destinations()).filter((d) => d.site === site)
  }

  /** Sets one destination (in every set, or in one set) active or inactive. */
  async setDestinationState(uri: string, state: RouteState, set?: number): Promise<EdgeDestination[]> {
    const matching = (await this.destinations()).filter((d) => d.uri === uri && (set === undefined || d.set === set))
    if (matching.length === 0) throw new UnknownDestinationError(set === undefined ? uri : `${uri} (set ${set})`)
    await this.#apply(matching, state)
    return (await this.destinations()).filter((d) => d.uri === uri)
  }

  /**
   * Rewrites dispatcher.list and reloads it. Nothing is written while the JSON-RPC is unreachable, and
   * a list Kamailio refuses is rolled back, so the edge keeps routing as before. The reloaded list's
   * flags replace any state set live.
   */
  async replaceDispatcherList(content: string): Promise<EdgeDestination[]> {
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
    return this.destinations()
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
