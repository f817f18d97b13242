// Entry point of the edge agent, beside a Kamailio edge. Configuration from the environment:
//   KAMAILIO_RPC_URL     Kamailio's JSON-RPC URL (default http://127.0.0.1:5071/RPC)
//   DISPATCHER_LIST_PATH the dispatcher.list kamailio loads (default /etc/kamailio/dispatcher.list)
//   EDGE_AGENT_HOST      address the HTTP API listens on (default 127.0.0.1)
//   EDGE_AGENT_PORT      its port (default 8090)
import { KamailioRpc } from './rpc.ts'
import { EdgeRouting } from './routing.ts'
import { buildEdgeAgent } from './server.ts'

const env = process.env
const rpc = new KamailioRpc({ url: env.KAMAILIO_RPC_URL ?? 'http://127.0.0.1:5071/RPC' })
const routing = new EdgeRouting({ rpc, dispatcherListPath: env.DISPATCHER_LIST_PATH ?? '/etc/kamailio/dispatcher.list' })
const app = buildEdgeAgent(routing, { logger: true })

const shutdown = () => {
  void app.close().then(() => process.exit(0))
}
process.once('SIGTERM', shutdown)
process.once('SIGINT', shutdown)

await app.listen({ host: env.EDGE_AGENT_HOST ?? '127.0.0.1', port: Number(env.EDGE_AGENT_PORT ?? 8090) })
