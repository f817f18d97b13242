// The edge agent's configuration contract: every environment variable main.ts reads. The operator
// renders the edge pod's agent container env from it (operator/render/site/edge.ts) and the e2e harness
// starts the agent with it (e2e/edge/edge-pod.ts), so neither can give it a name it does not read.
import { envContract, setting, type ConfigOf } from '../lib/env-contract.ts'

export const edgeAgentContract = envContract('edge agent', {
  site: setting.text('EDGE_SITE', 'the name of the site whose edge this is (the `site` label of its metrics)').required(),
  rpcUrl: setting
    .url('KAMAILIO_RPC_URL', "Kamailio's JSON-RPC (jsonrpcs over HTTP)", ['http:', 'https:'])
    .default('http://127.0.0.1:5071/RPC'),
  dispatcherListPath: setting.text('DISPATCHER_LIST_PATH', 'the dispatcher.list Kamailio loads').default('/etc/kamailio/dispatcher.list'),
  dispatcherListSource: setting.text(
    'DISPATCHER_LIST_SOURCE',
    'the rendered list the ConfigMap mounts; when set, a change of it is loaded live (list-source.ts)',
  ),
  host: setting.text('EDGE_AGENT_HOST', 'the address the HTTP API listens on').default('127.0.0.1'),
  port: setting.port('EDGE_AGENT_PORT', 'the port the HTTP API listens on').default(8090),
  drainedFile: setting.text(
    'DRAINED_FILE',
    "when set, a SIGTERM first waits for the calls in progress to end, then writes this file (Kamailio's preStop hook waits for it; drain.ts)",
  ),
})

export type EdgeAgentSettings = ConfigOf<typeof edgeAgentContract.settings>
