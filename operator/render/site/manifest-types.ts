// Kubernetes object shapes for the renderers, taken from @kubernetes/client-node's models. Those models
// are classes (with `_from` for the API's `from`) meant for its serializer; a manifest is a plain object,
// so each model is mapped to the plain shape the API reads.
import type * as k8s from '@kubernetes/client-node'

export type Manifest<T> = T extends readonly (infer Item)[]
  ? Manifest<Item>[]
  : T extends Date
    ? string
    : T extends object
      ? { [Key in keyof T as Key extends '_from' ? 'from' : Key]: Manifest<T[Key]> }
      : T

export type Affinity = Manifest<k8s.V1Affinity>
export type Container = Manifest<k8s.V1Container>
export type ContainerPort = Manifest<k8s.V1ContainerPort>
export type DeploymentSpec = Manifest<k8s.V1DeploymentSpec>
export type EnvVar = Manifest<k8s.V1EnvVar>
export type NetworkPolicyIngressRule = Manifest<k8s.V1NetworkPolicyIngressRule>
export type NetworkPolicyPeer = Manifest<k8s.V1NetworkPolicyPeer>
export type NetworkPolicyPort = Manifest<k8s.V1NetworkPolicyPort>
export type OwnerReference = Manifest<k8s.V1OwnerReference>
export type PodDisruptionBudgetSpec = Manifest<k8s.V1PodDisruptionBudgetSpec>
export type PodSecurityContext = Manifest<k8s.V1PodSecurityContext>
export type PodSpec = Manifest<k8s.V1PodSpec>
export type PodTemplateSpec = Manifest<k8s.V1PodTemplateSpec>
export type Probe = Manifest<k8s.V1Probe>
export type ResourceRequirements = Manifest<k8s.V1ResourceRequirements>
export type SecurityContext = Manifest<k8s.V1SecurityContext>
export type ServicePort = Manifest<k8s.V1ServicePort>
export type ServiceSpec = Manifest<k8s.V1ServiceSpec>
export type StatefulSetSpec = Manifest<k8s.V1StatefulSetSpec>
export type Volume = Manifest<k8s.V1Volume>
export type VolumeMount = Manifest<k8s.V1VolumeMount>
