// The edge's view of its dispatcher destinations, read from Kamailio's dispatcher.list RPC answer.
// The rendered dispatcher.list tags every destination with `site=` and `duid=<site>-<name>`.

export type DestinationState = 'active' | 'inactive' | 'trying' | 'disabled'

export interface EdgeDestination {
  set: number
  uri: string
  site: string
  duid: string
  state: DestinationState
  /** Kamailio probes it with OPTIONS. */
  probing: boolean
  priority: number
  weight: number
}

interface RpcDest {
  URI?: string
  FLAGS?: string
  PRIORITY?: number
  ATTRS?: { BODY?: string; DUID?: string; WEIGHT?: number }
}
interface RpcSet {
  SET?: { ID?: number; TARGETS?: { DEST?: RpcDest }[] }
}

const STATES: Record<string, DestinationState> = { A: 'active', I: 'inactive', T: 'trying', D: 'disabled' }

function attribute(body: string, name: string): string | undefined {
  for (const pair of body.split(';')) {
    const [key, value] = pair.split('=')
    if (key?.trim() === name) return value?.trim()
  }
  return undefined
}

/** Parses the result of `dispatcher.list`; an edge with no sets answers an empty list. */
export function parseDispatcherList(result: unknown): EdgeDestination[] {
  const records = (result as { RECORDS?: RpcSet[] } | null)?.RECORDS ?? []
  return records.flatMap((record) => {
    const set = record.SET?.ID ?? 0
    return (record.SET?.TARGETS ?? []).flatMap(({ DEST: dest }) => {
      if (!dest?.URI) return []
      const body = dest.ATTRS?.BODY ?? ''
      const flags = dest.FLAGS ?? ''
      return [
        {
          set,
          uri: dest.URI,
          site: attribute(body, 'site') ?? '',
          duid: dest.ATTRS?.DUID ?? attribute(body, 'duid') ?? '',
          state: STATES[flags.charAt(0)] ?? 'inactive',
          probing: flags.charAt(1) === 'P',
          priority: dest.PRIORITY ?? 0,
          weight: dest.ATTRS?.WEIGHT ?? Number(attribute(body, 'weight') ?? 0),
        },
      ]
    })
  })
}
