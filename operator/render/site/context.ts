// What renderSite needs besides the Site: facts only the controller knows (namespace, UID, images,
// Secret references, rendered edge config, cluster addresses), and the shape of what it returns.
import type { OwnerReference } from './manifest-types.ts'

export interface SecretKeyRef {
  name: string
  key: string
}

export interface WorkloadImages {
  freeswitch: string
  kamailio: string
  edgeAgent: string
  acd: string
  login: string
  cti: string
  redis: string
}

export interface SiteRenderContext {
  /** Namespace of the Site; every object is created there. */
  namespace: string
  /** metadata.uid of the Site, for the owner references. */
  siteUid: string
  /** Cluster DNS domain, e.g. cluster.local: Service addresses are fully qualified. */
  clusterDomain: string
  /** Namespace the operator runs in: it may call the edge agents and probe the services and Redis. */
  operatorNamespace: string
  /** Default image of each workload; spec.components.<name>.managed.image (and redis.managed.image) override it. */
  images: WorkloadImages
  /** The Event Socket password: the Site's eslPasswordSecretRef, or the Secret the controller generated. */
  eslPasswordSecretRef: SecretKeyRef
  /** The login service's token-signing key. */
  loginTokenSigningSecretRef: SecretKeyRef
  /** Password of a Managed Redis, if the controller created one (an External Redis's comes from the Site). */
  managedRedisPasswordSecretRef?: SecretKeyRef
  /** The edge's Kamailio config, rendered by operator/render/kamailio with its JSON-RPC listener on 127.0.0.1:rpcPort. */
  edge: { kamailioCfg: string; dispatcherList: string; rpcPort: number }
  /** Address ranges: pods (CTI bridge, edges without host networking) and nodes (pods with host networking). */
  network: { podCidrs: readonly string[]; nodeCidrs: readonly string[] }
  /** Components a running chaos drill stops: their workloads get no replicas until the drill restores them. */
  stoppedByDrill?: readonly string[]
}

export interface ObjectMetadata {
  name: string
  namespace: string
  labels: Record<string, string>
  annotations?: Record<string, string>
  ownerReferences: OwnerReference[]
}

export interface KubernetesObject {
  apiVersion: string
  kind: string
  metadata: ObjectMetadata
  [field: string]: unknown
}
