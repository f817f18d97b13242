// The values of the callcenter-operator chart as a TypeBox schema: the one source of
// charts/callcenter-operator/values.schema.json, which helm checks every install and upgrade against.
// Every key of values.yaml is here with a description; closed objects refuse unknown keys (typos).
import Type, { type Static, type TSchema, type TUnsafe } from 'typebox'

const DNS_LABEL_OR_EMPTY = '^([a-z0-9]([-a-z0-9]*[a-z0-9])?)?$'
/** A Kubernetes resource quantity such as 100m, 2, 1.5, 256Mi or 1e3. */
const QUANTITY = '^[+]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][+-]?[0-9]+|[numkMGTPE]|[KMGTPE]i)?$'

const closed = { additionalProperties: false } as const

/** A string-to-string map (labels, annotations, node selectors). */
function stringMap(description: string): TUnsafe<Record<string, string>> {
  return Type.Unsafe<Record<string, string>>({
    type: 'object',
    description,
    additionalProperties: { type: 'string', description: 'A value (a string: quote numbers and booleans).' },
  })
}

/** A Kubernetes object this chart passes through unchanged (its own API validates it). */
function kubernetesObject(description: string): TUnsafe<Record<string, unknown>> {
  return Type.Unsafe<Record<string, unknown>>({ type: 'object', description })
}

function port(description: string) {
  return Type.Integer({ description, minimum: 1, maximum: 65535 })
}

function namespaceOrEmpty(description: string) {
  return Type.String({ description, maxLength: 63, pattern: DNS_LABEL_OR_EMPTY })
}

function imageReference(description: string) {
  return Type.String({ description, maxLength: 512 })
}

const ImageRepositoryAndTag = (what: string) =>
  Type.Object(
    {
      repository: Type.String({ description: `Repository of the ${what} image, without a tag.`, minLength: 1, maxLength: 512 }),
      tag: Type.String({ description: `Tag of the ${what} image; '' = the chart's appVersion.`, maxLength: 128 }),
    },
    { description: `The ${what} image.`, ...closed },
  )

const quantities = (description: string) =>
  Type.Unsafe<Record<string, string | number>>({
    type: 'object',
    description,
    additionalProperties: {
      description: 'A quantity: a number, or a string such as 500m, 2, 256Mi or 1Gi.',
      anyOf: [
        { type: 'string', pattern: QUANTITY },
        { type: 'number', minimum: 0 },
      ],
    },
  })

const Resources = Type.Object(
  {
    requests: Type.Optional(quantities('What the scheduler reserves for the operator container (cpu, memory).')),
    limits: Type.Optional(quantities('The most the operator container may use (cpu, memory).')),
  },
  { description: 'Compute resources of the operator container (a ResourceRequirements).', ...closed },
)

const SeccompProfile = Type.Object(
  {
    type: Type.Unsafe<'RuntimeDefault' | 'Localhost' | 'Unconfined'>({
      type: 'string',
      enum: ['RuntimeDefault', 'Localhost', 'Unconfined'],
      description: 'RuntimeDefault (the restricted Pod Security Standard), Localhost or Unconfined.',
    }),
    localhostProfile: Type.Optional(Type.String({ description: 'The profile file on the node, for type Localhost.' })),
  },
  { description: 'The seccomp profile.', ...closed },
)

const PodSecurityContext = Type.Object(
  {
    runAsNonRoot: Type.Boolean({ description: 'Refuse to start a container whose user is root.' }),
    runAsUser: Type.Integer({ description: 'The user every container runs as (the image uses 1000, node).', minimum: 0 }),
    runAsGroup: Type.Integer({ description: 'The primary group every container runs as.', minimum: 0 }),
    seccompProfile: SeccompProfile,
  },
  { description: "The pod's securityContext (a PodSecurityContext; further fields such as fsGroup pass through)." },
)

const ContainerSecurityContext = Type.Object(
  {
    runAsNonRoot: Type.Boolean({ description: 'Refuse to start the container if its user is root.' }),
    readOnlyRootFilesystem: Type.Boolean({
      description: 'Mount the root filesystem read-only (the operator writes nothing; /tmp is an emptyDir).',
    }),
    allowPrivilegeEscalation: Type.Boolean({ description: 'Whether a process may gain more privileges than its parent (setuid).' }),
    capabilities: Type.Object(
      {
        drop: Type.Array(Type.String({ description: 'A Linux capability, or ALL.' }), { description: 'Capabilities to drop.' }),
        add: Type.Optional(Type.Array(Type.String({ description: 'A Linux capability.' }), { description: 'Capabilities to add.' })),
      },
      { description: 'Linux capabilities of the container.', ...closed },
    ),
    seccompProfile: SeccompProfile,
  },
  { description: "The operator container's securityContext (a SecurityContext; further fields pass through)." },
)

const Toleration = Type.Object(
  {
    key: Type.Optional(Type.String({ description: 'The taint key; empty with operator Exists matches every taint.' })),
    operator: Type.Optional(
      Type.Unsafe<'Exists' | 'Equal'>({ type: 'string', enum: ['Exists', 'Equal'], description: 'Exists or Equal (the default).' }),
    ),
    value: Type.Optional(Type.String({ description: 'The taint value, for operator Equal.' })),
    effect: Type.Optional(
      Type.Unsafe<'' | 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute'>({
        type: 'string',
        enum: ['', 'NoSchedule', 'PreferNoSchedule', 'NoExecute'],
        description: "The taint effect to match; '' matches every effect.",
      }),
    ),
    tolerationSeconds: Type.Optional(Type.Integer({ description: 'For NoExecute: how long the pod stays after the taint appears.' })),
  },
  { description: 'A toleration.', ...closed },
)

const NetworkPolicyPeer = Type.Object(
  {
    podSelector: Type.Optional(kubernetesObject('Pods selected by label (a LabelSelector).')),
    namespaceSelector: Type.Optional(kubernetesObject('Namespaces selected by label (a LabelSelector).')),
    ipBlock: Type.Optional(kubernetesObject('An address range: { cidr, except }.')),
  },
  { description: 'A NetworkPolicyPeer.', ...closed },
)

const NetworkPolicyPort = Type.Object(
  {
    port: Type.Optional(
      Type.Union([port('A port number.'), Type.String({ description: 'A named port.', minLength: 1, maxLength: 15 })], {
        description: 'A port number or a named container port; absent = every port.',
      }),
    ),
    endPort: Type.Optional(port('The last port of a range starting at port.')),
    protocol: Type.Optional(
      Type.Unsafe<'TCP' | 'UDP' | 'SCTP'>({ type: 'string', enum: ['TCP', 'UDP', 'SCTP'], description: 'TCP (the default), UDP or SCTP.' }),
    ),
  },
  { description: 'A NetworkPolicyPort.', ...closed },
)

const EgressRule = Type.Object(
  {
    to: Type.Optional(Type.Array(NetworkPolicyPeer, { description: 'Destinations; absent = anywhere.' })),
    ports: Type.Optional(Type.Array(NetworkPolicyPort, { description: 'Destination ports; absent = every port.' })),
  },
  { description: 'A NetworkPolicyEgressRule.', ...closed },
)

export const ChartValues = Type.Object(
  {
    nameOverride: Type.String({ description: 'Overrides the chart name in object names and labels.', maxLength: 63 }),
    fullnameOverride: Type.String({ description: 'Overrides the full name (release-chart) of every object.', maxLength: 63 }),
    image: Type.Object(
      {
        repository: Type.String({
          description: 'Repository of the operator image (built from images/operator/Containerfile), without a tag.',
          minLength: 1,
          maxLength: 512,
        }),
        tag: Type.String({ description: "Tag of the operator image; '' = the chart's appVersion.", maxLength: 128 }),
        pullPolicy: Type.Unsafe<'Always' | 'IfNotPresent' | 'Never'>({
          type: 'string',
          enum: ['Always', 'IfNotPresent', 'Never'],
          description: 'When the kubelet pulls the operator image.',
        }),
      },
      { description: 'The operator image.', ...closed },
    ),
    imagePullSecrets: Type.Array(
      Type.Object(
        { name: Type.String({ description: 'Name of a Secret of type kubernetes.io/dockerconfigjson.', minLength: 1 }) },
        {
          description: 'A pull secret in the release namespace.',
          ...closed,
        },
      ),
      { description: 'Secrets for pulling the operator image.' },
    ),
    workloadImages: Type.Object(
      {
        callcenter: ImageRepositoryAndTag('callcenter workloads (login, ACD, CTI, edge agent; built from images/workloads/Containerfile)'),
        login: imageReference("Image of the login service (CALLCENTER_IMAGE_LOGIN); '' = the callcenter image."),
        acd: imageReference("Image of the ACD (CALLCENTER_IMAGE_ACD); '' = the callcenter image."),
        cti: imageReference("Image of the CTI bridge (CALLCENTER_IMAGE_CTI); '' = the callcenter image."),
        edgeAgent: imageReference("Image of the edge agent beside Kamailio (CALLCENTER_IMAGE_EDGE_AGENT); '' = the callcenter image."),
        freeswitch: imageReference('Image of the FreeSWITCH soft switch (CALLCENTER_IMAGE_FREESWITCH).'),
        kamailio: imageReference('Image of the Kamailio SIP edge (CALLCENTER_IMAGE_KAMAILIO).'),
        redis: imageReference('Image of a managed Redis (CALLCENTER_IMAGE_REDIS).'),
      },
      {
        description: 'Images of what the operator provisions at a site (a Site may override each per component).',
        ...closed,
      },
    ),
    replicas: Type.Integer({
      description: 'Operator replicas; more than one needs leader election (one leads, the others stand by).',
      minimum: 0,
      maximum: 10,
    }),
    leaderElection: Type.Object(
      {
        enabled: Type.Boolean({ description: 'Pass --leader-elect: the leader holds a coordination.k8s.io Lease.' }),
        namespace: namespaceOrEmpty("Namespace of the Lease; '' = the release namespace."),
      },
      { description: 'Leader election among the operator replicas.', ...closed },
    ),
    watchNamespace: namespaceOrEmpty("Watch only this namespace ('' = all); when set, RBAC uses Roles in it instead of ClusterRoles."),
    site: Type.String({
      description: "Multi-cluster: provision only this Site and probe the others ('' = provision every Site).",
      maxLength: 63,
      pattern: DNS_LABEL_OR_EMPTY,
    }),
    healthPort: port('Port of /healthz and /readyz (--health-port).'),
    metrics: Type.Object(
      {
        port: port('Port of /metrics (--metrics-port).'),
        service: Type.Object(
          {
            enabled: Type.Boolean({ description: 'Create a ClusterIP Service in front of /metrics.' }),
            annotations: stringMap('Annotations of the metrics Service.'),
          },
          { description: 'The metrics Service.', ...closed },
        ),
        serviceMonitor: Type.Object(
          {
            enabled: Type.Boolean({ description: 'Create a prometheus-operator ServiceMonitor (needs the monitoring.coreos.com CRDs).' }),
            interval: Type.String({ description: 'How often Prometheus scrapes, e.g. 30s.', pattern: '^[0-9]+(ms|s|m|h)$' }),
            scrapeTimeout: Type.String({ description: 'Scrape timeout, e.g. 10s; at most the interval.', pattern: '^[0-9]+(ms|s|m|h)$' }),
            labels: stringMap('Extra labels of the ServiceMonitor, e.g. the one your Prometheus selects by.'),
          },
          { description: 'The prometheus-operator ServiceMonitor.', ...closed },
        ),
        podMonitor: Type.Object(
          {
            enabled: Type.Boolean({
              description:
                'Create a prometheus-operator PodMonitor for the login and ACD pods the operator runs for Managed sites (port http, ' +
                "/metrics; needs the monitoring.coreos.com CRDs). The ACD's NetworkPolicy admits only its site's pods and the " +
                "operator's namespace: run Prometheus there, or allow it.",
            }),
            interval: Type.String({ description: 'How often Prometheus scrapes, e.g. 30s.', pattern: '^[0-9]+(ms|s|m|h)$' }),
            scrapeTimeout: Type.String({ description: 'Scrape timeout, e.g. 10s; at most the interval.', pattern: '^[0-9]+(ms|s|m|h)$' }),
            labels: stringMap('Extra labels of the PodMonitor, e.g. the one your Prometheus selects by.'),
            namespaces: Type.Array(Type.String({ description: 'A namespace.', minLength: 1, maxLength: 63, pattern: DNS_LABEL_OR_EMPTY }), {
              description: "Namespaces of the Sites to scrape; [] = watchNamespace, or every namespace when that is ''.",
              maxItems: 100,
              uniqueItems: true,
            }),
          },
          { description: "The prometheus-operator PodMonitor of the sites' login and ACD services.", ...closed },
        ),
      },
      { description: 'Prometheus metrics.', ...closed },
    ),
    grafanaDashboard: Type.Object(
      {
        enabled: Type.Boolean({
          description: 'Create a ConfigMap holding the Grafana dashboard (dashboards/callcenter.json) for the Grafana sidecar to load.',
        }),
        namespace: namespaceOrEmpty("Namespace of the ConfigMap (where your Grafana's sidecar looks); '' = the release namespace."),
        labels: stringMap(
          'Labels of the ConfigMap: the one your Grafana sidecar selects dashboards by (grafana_dashboard: "1" by default).',
        ),
        annotations: stringMap('Annotations of the ConfigMap, e.g. the folder annotation your sidecar reads (grafana_folder).'),
      },
      { description: 'The Grafana dashboard of the operator and the services.', ...closed },
    ),
    serviceAccount: Type.Object(
      {
        create: Type.Boolean({ description: 'Create the ServiceAccount; false = use an existing one named by name.' }),
        name: Type.String({ description: "Name of the ServiceAccount; '' = the release's full name.", maxLength: 253 }),
        annotations: stringMap('Annotations of the ServiceAccount (e.g. a cloud workload identity).'),
      },
      { description: 'The ServiceAccount the operator runs as.', ...closed },
    ),
    rbac: Type.Object(
      {
        create: Type.Boolean({ description: 'Create the operator ClusterRoles/Roles and their bindings.' }),
        aggregateToDefaultRoles: Type.Boolean({
          description: 'Create ClusterRoles that add the callcenter.dev kinds to the built-in admin, edit and view roles.',
        }),
      },
      { description: 'RBAC for the operator and for the people using the API.', ...closed },
    ),
    resources: Resources,
    podSecurityContext: PodSecurityContext,
    securityContext: ContainerSecurityContext,
    podAnnotations: stringMap('Annotations of the operator pods.'),
    podLabels: stringMap('Extra labels of the operator pods.'),
    nodeSelector: stringMap('Node labels the operator pods must be scheduled on.'),
    tolerations: Type.Array(Toleration, { description: 'Tolerations of the operator pods.' }),
    affinity: Type.Object(
      {
        nodeAffinity: Type.Optional(kubernetesObject('A NodeAffinity.')),
        podAffinity: Type.Optional(kubernetesObject('A PodAffinity.')),
        podAntiAffinity: Type.Optional(kubernetesObject('A PodAntiAffinity.')),
      },
      { description: 'Affinity of the operator pods.', ...closed },
    ),
    priorityClassName: Type.String({ description: "PriorityClass of the operator pods; '' = the cluster default.", maxLength: 253 }),
    extraEnv: Type.Array(
      Type.Object(
        {
          name: Type.String({ description: 'Variable name.', pattern: '^[A-Za-z_][A-Za-z0-9_]*$', maxLength: 253 }),
          value: Type.String({ description: 'Variable value (a string: quote numbers).' }),
        },
        { description: 'One environment variable.', ...closed },
      ),
      {
        description:
          'Extra environment variables of the operator: CALLCENTER_POD_CIDRS and CALLCENTER_NODE_CIDRS (address ranges NetworkPolicies and FreeSWITCH ACLs admit), CALLCENTER_CLUSTER_DOMAIN, LOG_LEVEL.',
        maxItems: 32,
      },
    ),
    terminationGracePeriodSeconds: Type.Integer({
      description: 'Seconds a stopping operator gets to release its Lease and finish in-flight reconciles.',
      minimum: 0,
      maximum: 3600,
    }),
    topologySpread: Type.Object(
      {
        enabled: Type.Boolean({ description: 'Spread the replicas over the topology domains below.' }),
        topologyKey: Type.String({
          description: 'Node label defining a domain: kubernetes.io/hostname or topology.kubernetes.io/zone.',
          minLength: 1,
        }),
        maxSkew: Type.Integer({ description: 'Most the replica counts of two domains may differ by.', minimum: 1 }),
        whenUnsatisfiable: Type.Unsafe<'ScheduleAnyway' | 'DoNotSchedule'>({
          type: 'string',
          enum: ['ScheduleAnyway', 'DoNotSchedule'],
          description: 'ScheduleAnyway (prefer spreading) or DoNotSchedule (require it).',
        }),
      },
      { description: 'A topology spread constraint over the operator replicas.', ...closed },
    ),
    podDisruptionBudget: Type.Object(
      {
        enabled: Type.Boolean({ description: 'Create a PodDisruptionBudget (only when replicas > 1).' }),
        maxUnavailable: Type.Union([Type.Integer({ minimum: 1 }), Type.String({ pattern: '^([1-9][0-9]?|100)%$' })], {
          description: 'Replicas a voluntary disruption may take down at once: a number (at least 1) or a percentage.',
        }),
      },
      { description: 'The PodDisruptionBudget of the operator.', ...closed },
    ),
    networkPolicy: Type.Object(
      {
        enabled: Type.Boolean({
          description:
            'Create a NetworkPolicy for the operator pod (ingress: health and metrics ports; egress: DNS, the apiserver, extraEgress).',
        }),
        apiServer: Type.Object(
          {
            cidrs: Type.Array(Type.String({ description: 'An address range in CIDR notation.', pattern: '^[0-9a-fA-F:.]+/[0-9]{1,3}$' }), {
              description: 'Addresses of the apiserver; empty = any address (the ports still restrict).',
            }),
            ports: Type.Array(port('A port of the apiserver endpoints.'), {
              description: 'Ports of the apiserver endpoints.',
              minItems: 1,
            }),
          },
          { description: 'Where the apiserver is.', ...closed },
        ),
        metricsFrom: Type.Array(NetworkPolicyPeer, { description: 'Who may scrape /metrics; empty = anyone.' }),
        extraEgress: Type.Array(EgressRule, { description: "Further egress rules: the sites' Redis, External components' addresses." }),
      },
      { description: 'The NetworkPolicy of the operator pod.', ...closed },
    ),
  },
  { title: 'callcenter-operator chart values', description: 'Values of the callcenter-operator Helm chart.', ...closed },
)

export type ChartValues = Static<typeof ChartValues>

/** The JSON text of values.schema.json. */
export function valuesSchemaJson(schema: TSchema = ChartValues): string {
  return JSON.stringify(schema, null, 2) + '\n'
}
