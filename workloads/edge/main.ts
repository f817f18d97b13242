// Entry point of the edge agent, beside a Kamailio edge. Configuration from the environment:
//   KAMAILIO_RPC_URL        Kamailio's JSON-RPC URL (default http://127.0.0.1:5071/RPC)
//   DISPATCHER_LIST_PATH    the dispatcher.list kamailio loads (default /etc/kamailio/dispatcher.list)
//   DISPATCHER_LIST_SOURCE  the rendered list the ConfigMap mounts; when set, a change of it is loaded
//                           live (list-source.ts)
//   EDGE_AGENT_HOST         address the HTTP API listens on (default 127.0.0.1)
//   EDGE_AGENT_PORT or PORT its port (default 8090)
//   DRAINED_FILE            when set, a SIGTERM first waits for the calls in progress to end, then
//                           writes this file (Kamailio's preStop hook waits for it; drain.ts)
import { writeFile } from 'node:fs/promises'
import { drainCalls } from './drain.ts'
import { followListSource } from './list-source.ts'
import { KamailioRpc } from './rpc.ts'
import { EdgeRouting } from './routing.ts'
import { buildEdgeAgent } from './server.ts'

const env = process.env
const rpc = new KamailioRpc({ url: env.KAMAILIO_RPC_URL ?? 'http://127.0.0.1:5071/RPC' })
const dispatcherListPath = env.DISPATCHER_LIST_PATH ?? '/etc/kamailio/dispatcher.list'
const routing = new EdgeRouting({ rpc, dispatcherListPath })
const app = buildEdgeAgent(routing, { logger: true })

const source =
  env.DISPATCHER_LIST_SOURCE === undefined
    ? undefined
    : followListSource({
        sourcePath: env.DISPATCHER_LIST_SOURCE,
        currentPath: dispatcherListPath,
        apply: (content) => routing.replaceDispatcherList(content),
        onApplied: () => app.log.info({ source: env.DISPATCHER_LIST_SOURCE }, 'dispatcher list reloaded'),
        onError: (error) => app.log.warn({ source: env.DISPATCHER_LIST_SOURCE, err: error.message }, 'dispatcher list not reloaded'),
      })

const drainedFile = env.DRAINED_FILE
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

await app.listen({ host: env.EDGE_AGENT_HOST ?? '127.0.0.1', port: Number(env.EDGE_AGENT_PORT ?? env.PORT ?? 8090) })
