// Real FreeSWITCH in the two-site harness: each site's soft switch is a FreeSWITCH built from the pinned
// sources and loaded with exactly the configuration the operator renders (only addresses and ports
// differ), its log on standard output, its SIP profile running.
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { after, before, describe, it } from 'node:test'
import { startTwoSites, type TwoSites } from './two-sites.ts'

describe('real FreeSWITCH at each site, loaded with the rendered config', () => {
  let sites: TwoSites

  before(async () => {
    sites = await startTwoSites({ agents: 8, softswitch: 'freeswitch', sessionTimeoutMs: 600_000 })
  })

  after(async () => {
    await sites.stop()
  })

  it('loads exactly the files the operator renders, and its SIP profile runs', async () => {
    const freeswitch = sites.sites.shanghai.freeswitch
    assert.ok(freeswitch !== undefined)
    for (const [path, content] of Object.entries(freeswitch.config))
      assert.equal(await readFile(`${freeswitch.confDir}/${path}`, 'utf8'), content, path)
    assert.match(await freeswitch.api('sofia status'), /^\s*callcenter\s+profile.*RUNNING/m)
    assert.match(await freeswitch.api('global_getvar domain'), /^shanghai/)
  })

  it('logs to its standard output, as `kubectl logs` reads it', async () => {
    const freeswitch = sites.sites.shanghai.freeswitch
    assert.ok(freeswitch !== undefined)
    assert.match(await readFile(freeswitch.logFile, 'utf8'), /mod_sofia/)
  })
})
