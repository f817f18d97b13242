// Entry point of the edge agent, beside a Kamailio edge. Its configuration comes from the environment,
// as contract.ts lists it (EDGE_SITE required; KAMAILIO_RPC_URL, DISPATCHER_LIST_PATH,
// DISPATCHER_LIST_SOURCE, EDGE_AGENT_HOST, EDGE_AGENT_PORT, DRAINED_FILE). A missing or malformed
// variable stops it at once with exit code 2, naming the variable.
import { writeFile } from 'node:fs/promises'
import { parseOrExit } from '../lib/env-contract.ts'
import { edgeAgentContract } from './contract.ts'
import { drainCalls } from './drain.ts'
import { followListSource } from './list-source.ts'
import { CountingKamailioRpc, createEdgeAgentMetrics } from './metrics.ts'
import { EdgeRouting } from './routing.ts'
import { buildEdgeAgent } from './server.ts'

const settings = parseOrExit(edgeAgentContract, process.env)
const metrics = createEdgeAgentMetrics(settings.site)
const rpc = new CountingKamailioRpc({ url: settings.rpcUrl }, metrics)
const routing = new EdgeRouting({ rpc, dispatcherListPath: settings.dispatcherListPath })
metrics.callsPerSite(() => routing.callsPerSite())
const app = buildEdgeAgent(routing, { logger: true, metrics })

const sourcePath = settings.dispatcherListSource
const source =
  sourcePath === undefined
    ? undefined
    : followListSource({
        sourcePath,
        currentPath: settings.dispatcherListPath,
        apply: (content) => routing.replaceDispatcherList(content),
        onApplied: () => {
          metrics.routingChanged('dispatcher_list')
          app.log.info({ source: sourcePath }, 'dispatcher list reloaded')
        },
        onError: (error) => app.log.warn({ source: sourcePath, err: error.message }, 'dispatcher list not reloaded'),
      })

const drainedFile = settings.drainedFile
const drain = async () => {
  if (drainedFile === undefined) return
  await drainCalls({
    calls: () => routing.callsPerSite(),
    onWaiting: (calls) => app.log.info({ calls }, 'stopping: waiting for the calls in progress to end'),
  })
  await writeFile(drainedFile, `${new Date().toISOString()}\n`)
}

const shutdown = () => {
  source?.close()
  void drain()
    .catch((error: unknown) => app.log.error({ err: error }, 'drain failed'))
    .then(() => app.close())
    .then(() => process.exit(0))
}
process.once('SIGTERM', shutdown)
process.once('SIGINT', shutdown)

await app.listen({ host: settings.host, port: settings.port })
