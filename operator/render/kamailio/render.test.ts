import assert from 'node:assert/strict'
import { readFileSync, writeFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import type { Trunk } from '../../../crds/types.ts'
import { exampleEdgeInput, exampleSites, exampleTrunks } from './example.ts'
import { EdgeInputError, planEdge, renderEdge, type EdgeRenderInput, type SoftswitchAddress } from './index.ts'

// UPDATE_GOLDEN=1 rewrites the golden files from the current renderer.
const UPDATE = process.env.UPDATE_GOLDEN === '1'
const golden = (name: string) => fileURLToPath(new URL(`testdata/${name}`, import.meta.url))

function compareWithGolden(name: string, actual: string): void {
  if (UPDATE) writeFileSync(golden(name), actual)
  assert.equal(actual, readFileSync(golden(name), 'utf8'), `${name} differs from its golden file (UPDATE_GOLDEN=1 to accept)`)
}

function reversedSoftswitches(softswitches: EdgeRenderInput['softswitches']): Record<string, SoftswitchAddress[]> {
  const reversed: Record<string, SoftswitchAddress[]> = {}
  for (const [site, list] of Object.entries(softswitches).reverse()) reversed[site] = [...list].reverse()
  return reversed
}

describe('Kamailio edge renderer: two-site example', () => {
  for (const site of ['shanghai', 'nantong'] as const) {
    it(`renders the ${site} edge byte for byte as its golden files`, () => {
      const rendered = renderEdge(exampleEdgeInput(site))
      compareWithGolden(`${site}.kamailio.cfg`, rendered.kamailioCfg)
      compareWithGolden(`${site}.dispatcher.list`, rendered.dispatcherList)
    })
  }

  it('renders the same bytes whatever the order of Sites, Trunks and soft switches', () => {
    const input = exampleEdgeInput('shanghai')
    const shuffled = {
      ...input,
      sites: [...input.sites].reverse(),
      trunks: [...input.trunks].reverse(),
      softswitches: reversedSoftswitches(input.softswitches),
    }
    assert.deepEqual(renderEdge(shuffled), renderEdge(input))
  })
})

describe('Kamailio edge plan', () => {
  const plan = planEdge(exampleEdgeInput('shanghai'))
  const set = (id: number) => plan.sets.find((s) => s.id === id)
  const telecom = plan.trunkRoutes.find((r) => r.trunk === 'telecom')

  it("splits each trunk's site weight among that site's soft switches, adding up to 100 per set", () => {
    for (const planned of plan.sets) {
      assert.equal(
        planned.destinations.reduce((sum, d) => sum + d.weight, 0),
        100,
        `set ${planned.id}`,
      )
    }
    assert.ok(telecom)
    const split = set(telecom.splitSetId)?.destinations ?? []
    const weightOf = (site: string) => split.filter((d) => d.site === site).reduce((sum, d) => sum + d.weight, 0)
    assert.equal(weightOf('shanghai'), 60)
    assert.equal(weightOf('nantong'), 40)
    assert.deepEqual(
      split.filter((d) => d.site === 'shanghai').map((d) => d.weight),
      [15, 15, 15, 15],
    )
  })

  it('puts the local site first (highest priority) in local-first trunks, on each edge', () => {
    for (const site of ['shanghai', 'nantong'] as const) {
      const local = planEdge(exampleEdgeInput(site))
      for (const route of local.trunkRoutes) {
        const destinations = local.sets.find((s) => s.id === route.splitSetId)?.destinations ?? []
        assert.equal(destinations[0]?.site, site, `${route.trunk} at ${site}`)
        assert.ok((destinations.at(0)?.priority ?? 0) > (destinations.at(-1)?.priority ?? 0))
      }
    }
  })

  it('routes prefix rules to the site-first set, longest prefix first, with the other site as fallback', () => {
    assert.deepEqual(
      telecom?.prefixRules.map((r) => [r.prefix, r.site]),
      [
        ['0513', 'nantong'],
        ['021', 'shanghai'],
      ],
    )
    const nantongFirst = set(plan.siteSetIds.nantong ?? 0)?.destinations ?? []
    assert.deepEqual([...new Set(nantongFirst.map((d) => d.site))], ['nantong', 'shanghai'])
    assert.ok(nantongFirst.filter((d) => d.site === 'shanghai').every((d) => d.weight === 0))
  })

  it('orders a weight-0 site after the weighted ones even when it is local (Kamailio needs a weighted first destination)', () => {
    const input = exampleEdgeInput('shanghai')
    const trunk = structuredClone(exampleTrunks.find((t) => t.metadata.name === 'mobile')) as Trunk
    trunk.spec.sites = trunk.spec.sites.map((s) => ({ ...s, weight: s.site === 'shanghai' ? 0 : 100 }))
    const local = planEdge({ ...input, trunks: [trunk] })
    const destinations = local.sets.find((s) => s.id === local.trunkRoutes[0]?.splitSetId)?.destinations ?? []
    assert.equal(destinations[0]?.site, 'nantong')
    assert.equal(destinations.at(-1)?.site, 'shanghai')
  })

  it('disables the soft switches of a site that drains or is fenced, and probes the others', () => {
    const sites = exampleSites.map((s) => (s.metadata.name === 'nantong' ? { ...s, spec: { ...s.spec, traffic: 'Drain' as const } } : s))
    const drained = planEdge({ ...exampleEdgeInput('shanghai'), sites })
    const all = drained.sets.flatMap((s) => s.destinations)
    assert.ok(all.filter((d) => d.site === 'nantong').every((d) => d.flags === 4))
    assert.ok(all.filter((d) => d.site === 'shanghai').every((d) => d.flags === 8))
  })

  it('refuses to render input whose weights cannot be honoured, naming the trunk and field', () => {
    const input = { ...exampleEdgeInput('shanghai'), softswitches: { shanghai: exampleEdgeInput('shanghai').softswitches.shanghai ?? [] } }
    assert.throws(
      () => renderEdge(input),
      (error: unknown) =>
        error instanceof EdgeInputError &&
        /Trunk\/telecom spec\.sites\[1\]\.weight: weight 40 cannot be honoured: site "nantong" has no soft switches/.test(error.message),
    )
  })
})
