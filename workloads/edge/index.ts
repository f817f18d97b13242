// The edge agent as a library, for the operator: JSON-RPC routing control of a Kamailio edge, the
// agent's HTTP API and its client, and the outbound caller-ID rotation decision.
export { KamailioRpc, EdgeRpcError, EdgeRpcUnreachableError, type KamailioRpcOptions } from './rpc.ts'
export { parseDispatcherList, type EdgeDestination, type DestinationState } from './destinations.ts'
export {
  EdgeRouting,
  DispatcherListRefusedError,
  UnknownDestinationError,
  UnknownSiteError,
  type EdgeRoutingOptions,
  type RouteState,
} from './routing.ts'
export { buildEdgeAgent } from './server.ts'
export { CALLS_TO_SITE_PROFILE, callsToSite } from './call-counts.ts'
export { EdgeAgentClient, EdgeAgentError } from './client.ts'
export {
  decideCallerIds,
  ROTATION_DEFAULTS,
  type CallerIdDecision,
  type CallerIdDecisionInput,
  type CallerIdFigures,
  type CallerIdStatus,
} from './caller-ids.ts'
