// Site provisioning, as pure functions: renderSite(site, context) returns every Kubernetes object the
// Site's Managed components need (an External component yields none), each owned by the Site, labelled
// app.kubernetes.io/{name,instance,component,part-of,managed-by} and callcenter.dev/site, named
// `<site>-<component>`:
//   softswitch  ConfigMap (FreeSWITCH config from ../freeswitch), headless Service, StatefulSet (host
//               networking per spec.placement, ESL password from a Secret, drain on preStop),
//               PodDisruptionBudget, NetworkPolicy (ESL only from the CTI bridge)
//   edge        ConfigMap (kamailio.cfg, dispatcher.list), Service (edge agent API), Deployment (Kamailio
//               + edge agent sidecar), PodDisruptionBudget, NetworkPolicy
//   acd, login, cti
//               Service, Deployment, PodDisruptionBudget, NetworkPolicy
//   redis       Service, StatefulSet with a volume claim, NetworkPolicy
// Secrets are only referenced (secretKeyRef), never rendered. Same input, same objects, same order.
export { renderSite } from './render-site.ts'
export type { KubernetesObject, ObjectMetadata, SecretKeyRef, SiteRenderContext, WorkloadImages } from './context.ts'
export { siteEndpoints, type RedisConnection, type SiteEndpoints } from './endpoints.ts'
export { CONFIG_HASH_ANNOTATION, componentLabels, resourceName, selectorLabels, type ComponentName } from './names.ts'
export { EDGE_PATHS } from './edge.ts'
export { PORTS, RTP_PORTS } from './ports.ts'
