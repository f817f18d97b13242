import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { checkKamailioConfig } from '../../../workloads/edge/testing/kamailio.ts'
import { exampleEdgeInput } from './example.ts'
import { renderEdge } from './index.ts'

describe('kamailio -c (the real Debian kamailio) on rendered configs', () => {
  for (const site of ['shanghai', 'nantong'] as const) {
    it(`accepts the ${site} edge of the two-site example`, async () => {
      const rendered = renderEdge(exampleEdgeInput(site))
      const result = await checkKamailioConfig(rendered.kamailioCfg, rendered.dispatcherList)
      assert.ok(result.ok, result.output)
      assert.match(result.output, /config file ok/)
    })
  }

  it('rejects a config calling a function no loaded module has (the check can fail)', async () => {
    const broken = renderEdge(exampleEdgeInput('shanghai')).kamailioCfg.replace('ds_select_dst(', 'ds_select_no_such_function(')
    const result = await checkKamailioConfig(broken)
    assert.equal(result.ok, false)
    assert.match(result.output, /ds_select_no_such_function/)
  })
})
