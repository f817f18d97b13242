// One "pod" of a Managed edge as real local processes: a Kamailio rendered for the site and the edge
// agent (workloads/edge/main.ts) beside it, the agent listening on an address and port of its own, as a
// pod's IP. There are no kubelets in the test control plane: a test lists these addresses in the
// EndpointSlices of the edge Service itself. The API refuses loopback addresses in an EndpointSlice, so the
// agents listen on one of the machine's own non-loopback addresses (podAddress), each pod on its own port.
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { networkInterfaces } from 'node:os'
import { setTimeout as delay } from 'node:timers/promises'
import type { Site, Trunk } from '../../crds/types.ts'
import { renderEdge, type SoftswitchAddress } from '../../operator/render/kamailio/index.ts'
import { edgeAgentContract } from '../../workloads/edge/contract.ts'
import { startKamailio, type TestKamailio } from '../../workloads/edge/testing/kamailio.ts'

export interface EdgePodProcess {
  name: string
  /** The agent's address and port, as the EndpointSlice lists them. */
  address: string
  agentPort: number
  agentUrl: string
  kamailio: TestKamailio
  stop(): Promise<void>
}

export interface EdgePodOptions {
  name: string
  address: string
  agentPort: number
  site: string
  sites: Site[]
  trunks: Trunk[]
  softswitches: Record<string, SoftswitchAddress[]>
}

const root = new URL('../../', import.meta.url).pathname

/** The first IPv4 address of this machine outside the loopback range, if it has one. */
export function podAddress(): string | undefined {
  return Object.values(networkInterfaces())
    .flat()
    .find((address) => address?.family === 'IPv4' && !address.internal)?.address
}

export async function startEdgePod(options: EdgePodOptions): Promise<EdgePodProcess> {
  const kamailio = await startKamailio((ports) =>
    renderEdge({
      site: options.site,
      sites: options.sites,
      trunks: options.trunks,
      softswitches: options.softswitches,
      listen: { host: ports.host, sipPort: ports.sipPort },
      rpc: { host: ports.host, port: ports.rpcPort },
      dispatcherListPath: ports.dispatcherListPath,
      workers: 2,
      failoverTimeoutMilliseconds: 1000,
    }),
  )
  let output = ''
  const agent = spawn(process.execPath, ['workloads/edge/main.ts'], {
    cwd: root,
    // Built with the agent's own contract, as the operator renders the pod's env.
    env: {
      ...process.env,
      ...edgeAgentContract.env({
        site: options.site,
        rpcUrl: kamailio.rpcUrl,
        dispatcherListPath: kamailio.dispatcherListPath,
        host: options.address,
        port: options.agentPort,
      }),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  agent.stdout.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000)))
  agent.stderr.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000)))
  const exited = once(agent, 'exit')
  const stop = async () => {
    if (agent.exitCode === null && agent.signalCode === null) {
      agent.kill('SIGTERM')
      await exited
    }
    await kamailio.stop()
  }
  const agentUrl = `http://${options.address}:${options.agentPort}`
  const deadline = Date.now() + 20_000
  for (;;) {
    try {
      if ((await fetch(`${agentUrl}/readyz`)).ok) break
    } catch {
      // not listening yet
    }
    if (agent.exitCode !== null || Date.now() > deadline) {
      await stop()
      throw new Error(`edge agent ${options.name} at ${agentUrl} did not start:\n${output}`)
    }
    await delay(100)
  }
  return { name: options.name, address: options.address, agentPort: options.agentPort, agentUrl, kamailio, stop }
}
