// A Trunk change reaches a running edge without a restart, with real Kamailio and SIPp soft switches on
// loopback: the operator renders the new dispatcher list into the edge's ConfigMap, the kubelet swaps the
// mounted files (emulated here as it does it: a new timestamped directory and an atomic rename of the
// `..data` symlink), and the agent reloads the list into Kamailio. A site flipped inactive stays so.
import assert from 'node:assert/strict'
import { mkdir, mkdtemp, rename, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import type { AddressInfo } from 'node:net'
import type { FastifyInstance } from 'fastify'
import { EdgeAgentClient } from './client.ts'
import { followListSource, type ListSource } from './list-source.ts'
import { KamailioRpc } from './rpc.ts'
import { EdgeRouting } from './routing.ts'
import { buildEdgeAgent } from './server.ts'
import { DID, OTHER_CALLER, renderTestEdge } from './testing/fixture.ts'
import { startKamailio, type TestKamailio } from './testing/kamailio.ts'
import { LOOPBACK } from './testing/ports.ts'
import { runCalls, startUas, type TestUas } from './testing/sipp.ts'
import { waitFor } from './testing/wait.ts'

/** A ConfigMap volume as the kubelet keeps it: files behind `..data`, swapped atomically on every update. */
async function configMapVolume(dir: string, files: Record<string, string>, version: number): Promise<void> {
  const data = `..2026_01_01_00_00_0${version}`
  await mkdir(join(dir, data))
  for (const [name, content] of Object.entries(files)) await writeFile(join(dir, data, name), content)
  await symlink(data, join(dir, '..data_tmp'))
  await rename(join(dir, '..data_tmp'), join(dir, '..data'))
  if (version === 1) for (const name of Object.keys(files)) await symlink(join('..data', name), join(dir, name))
  else await rm(join(dir, `..2026_01_01_00_00_0${version - 1}`), { recursive: true })
}

describe('dispatcher list reloaded when its ConfigMap changes (real kamailio + SIPp)', () => {
  let shanghai: TestUas
  let nantong: TestUas
  let edge: TestKamailio
  let agent: FastifyInstance
  let client: EdgeAgentClient
  let source: ListSource
  let volume: string
  const softswitches = () => ({ shanghai: [shanghai.address], nantong: [nantong.address] })
  const listFor = (weights: { shanghai: number; nantong: number }) =>
    renderTestEdge({ weights, softswitches: softswitches() })(edge).dispatcherList
  const splitWeight = async (site: string) => (await client.destinations()).find((d) => d.set === 101 && d.site === site)?.weight
  const callsAt = async (caller: string) => {
    const run = await runCalls({ edge: { host: edge.host, port: edge.sipPort }, called: DID, caller, calls: 20, rate: 100 })
    assert.equal(run.successful, 20)
    const count = async (uas: TestUas) => (await uas.invites()).filter((i) => i.caller === caller).length
    return { shanghai: await count(shanghai), nantong: await count(nantong) }
  }

  before(async () => {
    shanghai = await startUas({ name: 'shanghai-fs' })
    nantong = await startUas({ name: 'nantong-fs' })
    edge = await startKamailio(renderTestEdge({ weights: { shanghai: 100, nantong: 0 }, softswitches: softswitches() }))
    volume = await mkdtemp(join(tmpdir(), 'edge-configmap-'))
    await configMapVolume(volume, { 'dispatcher.list': listFor({ shanghai: 100, nantong: 0 }) }, 1)
    const routing = new EdgeRouting({ rpc: new KamailioRpc({ url: edge.rpcUrl }), dispatcherListPath: edge.dispatcherListPath })
    agent = buildEdgeAgent(routing)
    await agent.listen({ host: LOOPBACK, port: 0 })
    client = new EdgeAgentClient(`http://${LOOPBACK}:${(agent.server.address() as AddressInfo).port}`)
    source = followListSource({
      sourcePath: join(volume, 'dispatcher.list'),
      currentPath: edge.dispatcherListPath,
      apply: (content) => routing.replaceDispatcherList(content),
      debounceMs: 200,
      retryMs: 1000,
    })
  })

  after(async () => {
    source.close()
    await agent.close()
    await edge.stop()
    await shanghai.stop()
    await nantong.stop()
    await rm(volume, { recursive: true, force: true })
  })

  it('routes by the new weights once the ConfigMap changes, with no restart', async () => {
    assert.deepEqual(await callsAt(`${OTHER_CALLER}1`), { shanghai: 20, nantong: 0 }, 'first, all to shanghai')
    await configMapVolume(volume, { 'dispatcher.list': listFor({ shanghai: 0, nantong: 100 }) }, 2)
    await waitFor(async () => (await splitWeight('nantong')) === 100, 'the new weights loaded')
    assert.deepEqual(await callsAt(`${OTHER_CALLER}2`), { shanghai: 0, nantong: 20 })
  })

  it('keeps a site flipped inactive across the reload', async () => {
    await client.setSiteState('nantong', 'inactive')
    await configMapVolume(volume, { 'dispatcher.list': listFor({ shanghai: 30, nantong: 70 }) }, 3)
    await waitFor(async () => (await splitWeight('shanghai')) === 30, 'the new weights loaded')
    const ofNantong = (await client.destinations()).filter((d) => d.site === 'nantong')
    assert.ok(ofNantong.length > 0 && ofNantong.every((d) => d.state === 'disabled'), JSON.stringify(ofNantong))
    assert.deepEqual(await callsAt(`${OTHER_CALLER}3`), { shanghai: 20, nantong: 0 }, 'nothing to the flipped site')
  })
})
