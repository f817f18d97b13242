// The callcenter-operator Helm chart: helm lint and template, then helm install into a real
// kube-apiserver, whose RBAC (kubectl auth can-i) and Pod Security admission judge what it created.
// No node runs the operator pods (there are no nodes): the objects are checked, not the processes.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { parseAllDocuments } from 'yaml'
import { startControlPlane, type CommandResult, type ControlPlane } from '../controlplane/controlplane.ts'
import { CHART_DIR, createHelm, KUBE_VERSION, type Helm } from './helm.ts'

interface KubernetesObject {
  apiVersion: string
  kind: string
  metadata: { name: string; namespace?: string; labels?: Record<string, string> }
  [field: string]: unknown
}

interface PolicyRule {
  apiGroups: string[]
  resources: string[]
  verbs: string[]
}

interface Container {
  name: string
  image: string
  args: string[]
  env: { name: string; value?: string; valueFrom?: unknown }[]
  securityContext: Record<string, unknown>
  livenessProbe: { httpGet: { path: string; port: string } }
  readinessProbe: { httpGet: { path: string; port: string } }
  ports: { name: string; containerPort: number }[]
}

interface PodSpec {
  serviceAccountName: string
  securityContext: Record<string, unknown>
  containers: Container[]
  topologySpreadConstraints?: unknown[]
}

interface Deployment extends KubernetesObject {
  spec: { replicas: number; template: { spec: PodSpec } }
}

const RELEASE = 'callcenter-operator'
const NAMESPACE = 'callcenter-system'
const SERVICE_ACCOUNT = `system:serviceaccount:${NAMESPACE}:${RELEASE}`

function succeeded(result: CommandResult, what: string): string {
  assert.equal(result.code, 0, `${what} failed (exit ${result.code}):\n${result.stderr}${result.stdout}`)
  return result.stdout
}

function parseObjects(yamlText: string): KubernetesObject[] {
  return parseAllDocuments(yamlText)
    .map((document) => document.toJS() as KubernetesObject | null)
    .filter((object): object is KubernetesObject => object !== null)
}

function find(objects: KubernetesObject[], kind: string, name: string): KubernetesObject {
  const found = objects.find((object) => object.kind === kind && object.metadata.name === name)
  assert.ok(found, `no ${kind} ${name} among: ${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')}`)
  return found
}

function operatorContainer(deployment: Deployment): Container {
  const container = deployment.spec.template.spec.containers.find(({ name }) => name === 'operator')
  assert.ok(container, 'the Deployment has no operator container')
  return container
}

describe('the Helm chart, rendered without a cluster', () => {
  let helm: Helm
  before(() => {
    helm = createHelm()
  })
  after(() => {
    helm.cleanup()
  })

  const template = async (sets: readonly string[] = []): Promise<CommandResult> =>
    helm.run([
      'template',
      RELEASE,
      CHART_DIR,
      `--namespace=${NAMESPACE}`,
      `--kube-version=${KUBE_VERSION}`,
      ...sets.flatMap((set) => ['--set', set]),
    ])

  it('passes helm lint, also with --strict and with every optional part switched on', async () => {
    const lint = succeeded(await helm.run(['lint', CHART_DIR]), 'helm lint')
    assert.match(lint, /1 chart\(s\) linted, 0 chart\(s\) failed/)
    succeeded(await helm.run(['lint', '--strict', CHART_DIR]), 'helm lint --strict')
    const everything =
      'networkPolicy.enabled=true,metrics.serviceMonitor.enabled=true,watchNamespace=tenant-a,site=shanghai,priorityClassName=high'
    succeeded(await helm.run(['lint', '--strict', CHART_DIR, '--set', everything]), 'helm lint --strict with everything on')
  })

  it('renders the operator Deployment with leader election, probes, downward API env and a restricted security context', async () => {
    const objects = parseObjects(succeeded(await template(), 'helm template'))
    const kinds = objects.map(({ kind, metadata }) => `${kind}/${metadata.name}`).sort()
    assert.deepEqual(kinds, [
      `ClusterRole/${RELEASE}`,
      `ClusterRole/${RELEASE}-edit`,
      `ClusterRole/${RELEASE}-view`,
      `ClusterRoleBinding/${RELEASE}`,
      `Deployment/${RELEASE}`,
      `Lease/${RELEASE}`,
      `PodDisruptionBudget/${RELEASE}`,
      `Role/${RELEASE}-leader-election`,
      `RoleBinding/${RELEASE}-leader-election`,
      `Service/${RELEASE}-metrics`,
      `ServiceAccount/${RELEASE}`,
    ])
    const deployment = find(objects, 'Deployment', RELEASE) as Deployment
    assert.equal(deployment.spec.replicas, 2)
    const pod = deployment.spec.template.spec
    assert.equal(pod.serviceAccountName, RELEASE)
    assert.equal(pod.topologySpreadConstraints?.length, 1)
    const container = operatorContainer(deployment)
    assert.equal(container.image, 'localhost/callcenter/operator:0.1.0')
    assert.deepEqual(container.args, [
      '--leader-elect',
      `--lease-namespace=${NAMESPACE}`,
      `--lease-name=${RELEASE}`,
      '--health-port=8081',
      '--metrics-port=8080',
    ])
    // The Lease is the release's, so that helm uninstall deletes it; it names no holder.
    const lease = find(objects, 'Lease', RELEASE) as { metadata: { namespace?: string }; spec?: unknown }
    assert.equal(lease.metadata.namespace, NAMESPACE)
    assert.equal(lease.spec, undefined)
    assert.deepEqual(container.livenessProbe.httpGet, { path: '/healthz', port: 'health' })
    assert.deepEqual(container.readinessProbe.httpGet, { path: '/readyz', port: 'health' })
    assert.deepEqual(
      container.ports.map(({ name, containerPort }) => [name, containerPort]),
      [
        ['metrics', 8080],
        ['health', 8081],
      ],
    )
    const env = new Map(container.env.map(({ name, value, valueFrom }) => [name, value ?? valueFrom]))
    assert.deepEqual(env.get('POD_NAME'), { fieldRef: { fieldPath: 'metadata.name' } })
    assert.deepEqual(env.get('POD_NAMESPACE'), { fieldRef: { fieldPath: 'metadata.namespace' } })
    for (const service of ['LOGIN', 'ACD', 'CTI', 'EDGE_AGENT'])
      assert.equal(env.get(`CALLCENTER_IMAGE_${service}`), 'localhost/callcenter/workloads:0.1.0')
    for (const image of ['FREESWITCH', 'KAMAILIO', 'REDIS'])
      assert.match(String(env.get(`CALLCENTER_IMAGE_${image}`)), /^[\w.-]+\/[\w./-]+:[\w.-]+$/)
    assert.deepEqual(pod.securityContext, {
      runAsNonRoot: true,
      runAsUser: 1000,
      runAsGroup: 1000,
      seccompProfile: { type: 'RuntimeDefault' },
    })
    assert.deepEqual(container.securityContext, {
      runAsNonRoot: true,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    })
  })

  it('passes --watch-namespace and --site, and per-service image overrides', async () => {
    const objects = parseObjects(
      succeeded(
        await template(['watchNamespace=tenant-a,site=shanghai,workloadImages.acd=registry.example/acd:7,image.tag=dev']),
        'helm template',
      ),
    )
    const container = operatorContainer(find(objects, 'Deployment', RELEASE) as Deployment)
    assert.equal(container.image, 'localhost/callcenter/operator:dev')
    assert.ok(container.args.includes('--watch-namespace=tenant-a'), container.args.join(' '))
    assert.ok(container.args.includes('--site=shanghai'), container.args.join(' '))
    const env = new Map(container.env.map(({ name, value }) => [name, value]))
    assert.equal(env.get('CALLCENTER_IMAGE_ACD'), 'registry.example/acd:7')
    assert.equal(env.get('CALLCENTER_IMAGE_LOGIN'), 'localhost/callcenter/workloads:0.1.0')
  })

  it('grants no wildcard, never creates or deletes the API objects, and never deletes or updates Secrets', async () => {
    const objects = parseObjects(succeeded(await template(), 'helm template'))
    const rules = find(objects, 'ClusterRole', RELEASE).rules as PolicyRule[]
    for (const rule of rules) {
      assert.ok(!rule.verbs.includes('*') && !rule.resources.includes('*') && !rule.apiGroups.includes('*'), JSON.stringify(rule))
    }
    const verbsOf = (group: string, resource: string): string[] =>
      rules.filter((rule) => rule.apiGroups.includes(group) && rule.resources.includes(resource)).flatMap((rule) => rule.verbs)
    assert.deepEqual(verbsOf('callcenter.dev', 'sites').sort(), ['get', 'list', 'patch', 'update', 'watch'])
    assert.deepEqual(verbsOf('callcenter.dev', 'sites/status').sort(), ['get', 'patch', 'update'])
    assert.deepEqual(verbsOf('', 'secrets').sort(), ['create', 'get', 'list', 'patch', 'watch'])
    assert.deepEqual(verbsOf('', 'pods').sort(), ['get', 'list', 'watch'])
    assert.deepEqual(verbsOf('', 'serviceaccounts'), [])
    assert.deepEqual(verbsOf('coordination.k8s.io', 'leases'), [], 'leases belong in the leader-election Role only')
    const lease = find(objects, 'Role', `${RELEASE}-leader-election`)
    assert.equal(lease.metadata.namespace, NAMESPACE)
    assert.deepEqual(lease.rules, [{ apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'create', 'update'] }])
  })

  it('uses Roles in the watched namespace instead of ClusterRoles when watchNamespace is set', async () => {
    const clusterWide = parseObjects(succeeded(await template(), 'helm template'))
    const objects = parseObjects(succeeded(await template(['watchNamespace=tenant-a']), 'helm template --set watchNamespace'))
    const role = find(objects, 'Role', RELEASE)
    assert.equal(role.metadata.namespace, 'tenant-a')
    assert.deepEqual(role.rules, find(clusterWide, 'ClusterRole', RELEASE).rules, 'the same rules, only namespaced')
    const binding = find(objects, 'RoleBinding', RELEASE)
    assert.equal(binding.metadata.namespace, 'tenant-a')
    assert.deepEqual(binding.subjects, [{ kind: 'ServiceAccount', name: RELEASE, namespace: NAMESPACE }])
    assert.deepEqual(binding.roleRef, { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: RELEASE })
    assert.equal(objects.filter(({ kind }) => kind === 'ClusterRoleBinding').length, 0, 'no cluster-wide binding at all')
    // Only the aggregated edit/view roles for people stay ClusterRoles; nothing binds them to the operator.
    assert.deepEqual(
      objects
        .filter(({ kind }) => kind === 'ClusterRole')
        .map(({ metadata }) => metadata.name)
        .sort(),
      [`${RELEASE}-edit`, `${RELEASE}-view`],
    )
    assert.equal(find(objects, 'Role', `${RELEASE}-leader-election`).metadata.namespace, NAMESPACE)
  })

  it('renders a NetworkPolicy allowing DNS, the apiserver and the health and metrics ports when asked', async () => {
    const objects = parseObjects(
      succeeded(await template(['networkPolicy.enabled=true', 'networkPolicy.apiServer.cidrs={10.0.0.1/32}']), 'helm template'),
    )
    const policy = find(objects, 'NetworkPolicy', RELEASE).spec as Record<string, unknown>
    assert.deepEqual(policy.policyTypes, ['Ingress', 'Egress'])
    assert.deepEqual(policy.ingress, [{ ports: [{ port: 'health', protocol: 'TCP' }] }, { ports: [{ port: 'metrics', protocol: 'TCP' }] }])
    assert.deepEqual(policy.egress, [
      {
        ports: [
          { port: 53, protocol: 'UDP' },
          { port: 53, protocol: 'TCP' },
        ],
      },
      {
        ports: [
          { port: 443, protocol: 'TCP' },
          { port: 6443, protocol: 'TCP' },
        ],
        to: [{ ipBlock: { cidr: '10.0.0.1/32' } }],
      },
    ])
  })

  it('refuses bad values with a message naming the value', async () => {
    const refused = async (set: string, message: RegExp) => {
      const result = await template([set])
      assert.notEqual(result.code, 0, `helm template --set ${set} should fail`)
      assert.match(result.stderr, message)
    }
    await refused('replicas=-1', /values don't meet the specifications of the schema[\s\S]*at '\/replicas': minimum: got -1, want 0/)
    await refused('replica=3', /at '': additional properties 'replica' not allowed/)
    await refused('image.pullPolicy=Sometimes', /at '\/image\/pullPolicy': value must be one of 'Always', 'IfNotPresent', 'Never'/)
    await refused('watchNamespace=Tenant_A', /at '\/watchNamespace': 'Tenant_A' does not match pattern/)
    await refused('resources.limits.memory=lots', /at '\/resources\/limits\/memory'/)
    await refused('leaderElection.enabled=false', /replicas > 1 needs leaderElection.enabled: true/)
    await refused('healthPort=8080', /healthPort and metrics.port must differ/)
  })
})

describe('the Helm chart installed into a real apiserver', () => {
  let cp: ControlPlane
  let helm: Helm
  let installOutput = ''
  before(async () => {
    helm = createHelm()
    cp = await startControlPlane()
    // The aggregation controller fills the built-in admin/edit/view roles from labelled ClusterRoles.
    await cp.startControllerManager({ controllers: ['clusterrole-aggregation'] })
    // The release namespace enforces the restricted Pod Security Standard.
    succeeded(await cp.kubectl(['create', 'namespace', NAMESPACE]), 'create namespace')
    succeeded(
      await cp.kubectl([
        'label',
        'namespace',
        NAMESPACE,
        'pod-security.kubernetes.io/enforce=restricted',
        'pod-security.kubernetes.io/warn=restricted',
      ]),
      'label namespace',
    )
    succeeded(await cp.kubectl(['create', 'namespace', 'callcenter']), 'create namespace callcenter')
    installOutput = succeeded(
      await helm.run(['install', RELEASE, CHART_DIR, `--namespace=${NAMESPACE}`, '--timeout=2m'], { kubeconfigPath: cp.kubeconfigPath }),
      'helm install',
    )
  })
  after(async () => {
    await cp.stop()
    helm.cleanup()
  })

  const canI = async (args: readonly string[], as = SERVICE_ACCOUNT): Promise<boolean> => {
    const result = await cp.kubectl(['auth', 'can-i', ...args, `--as=${as}`])
    assert.ok(result.code === 0 || result.code === 1, `kubectl auth can-i ${args.join(' ')} failed:\n${result.stderr}`)
    assert.match(result.stdout.trim(), /^(yes|no)\b/)
    return result.code === 0
  }
  const expectAllowed = async (args: readonly string[], as?: string) => {
    assert.equal(await canI(args, as), true, `expected allowed: ${args.join(' ')}`)
  }
  const expectDenied = async (args: readonly string[], as?: string) => {
    assert.equal(await canI(args, as), false, `expected denied: ${args.join(' ')}`)
  }

  it('installs and prints NOTES that say how to apply the example and see the sites', () => {
    assert.match(installOutput, /STATUS: deployed/)
    assert.match(installOutput, /kubectl apply -f examples\/two-site\//)
    assert.match(installOutput, /kubectl get sites -A/)
  })

  it('creates the five CRDs, established', async () => {
    const out = succeeded(
      await cp.kubectl([
        'get',
        'crd',
        '-l',
        'app.kubernetes.io/part-of=callcenter-operator',
        '-o',
        'jsonpath={range .items[*]}{.metadata.name} {.status.conditions[?(@.type=="Established")].status}{"\\n"}{end}',
      ]),
      'get crd',
    )
    assert.deepEqual(out.trim().split('\n').sort(), [
      'agentseats.callcenter.dev True',
      'phonemacs.callcenter.dev True',
      'sites.callcenter.dev True',
      'skillgroups.callcenter.dev True',
      'trunks.callcenter.dev True',
    ])
    // And they work: the two-site example applies.
    succeeded(await cp.kubectl(['apply', '-f', 'examples/two-site/']), 'apply the two-site example')
  })

  it('creates the ServiceAccount, RBAC, Deployment, metrics Service and PodDisruptionBudget', async () => {
    const names = succeeded(
      await cp.kubectl(['get', 'serviceaccount,deployment,service,poddisruptionbudget,role,rolebinding', '-n', NAMESPACE, '-o', 'name']),
      'get namespaced objects',
    )
    for (const name of [
      `serviceaccount/${RELEASE}`,
      `deployment.apps/${RELEASE}`,
      `service/${RELEASE}-metrics`,
      `poddisruptionbudget.policy/${RELEASE}`,
      `role.rbac.authorization.k8s.io/${RELEASE}-leader-election`,
      `rolebinding.rbac.authorization.k8s.io/${RELEASE}-leader-election`,
    ]) {
      assert.ok(names.split('\n').includes(name), `${name} missing from:\n${names}`)
    }
    const clusterWide = succeeded(
      await cp.kubectl(['get', `clusterrole/${RELEASE}`, `clusterrolebinding/${RELEASE}`, '-o', 'name']),
      'get cluster RBAC',
    )
    assert.equal(clusterWide.trim().split('\n').length, 2)
    const deployment = JSON.parse(
      succeeded(await cp.kubectl(['get', 'deployment', RELEASE, '-n', NAMESPACE, '-o', 'json']), 'get deployment'),
    ) as Deployment
    assert.equal(deployment.spec.replicas, 2)
    assert.ok(operatorContainer(deployment).args.includes('--leader-elect'))
    const service = JSON.parse(
      succeeded(await cp.kubectl(['get', 'service', `${RELEASE}-metrics`, '-n', NAMESPACE, '-o', 'json']), 'get service'),
    ) as {
      spec: { ports: { name: string; port: number; targetPort: string }[]; selector: Record<string, string> }
    }
    assert.deepEqual(
      service.spec.ports.map(({ name, port, targetPort }) => ({ name, port, targetPort })),
      [{ name: 'metrics', port: 8080, targetPort: 'metrics' }],
    )
    assert.equal(service.spec.selector['app.kubernetes.io/component'], 'operator')
  })

  it("the operator's pod passes the restricted Pod Security Standard (enforced by the apiserver)", async () => {
    const deployment = JSON.parse(
      succeeded(await cp.kubectl(['get', 'deployment', RELEASE, '-n', NAMESPACE, '-o', 'json']), 'get deployment'),
    ) as Deployment
    const pod = (spec: PodSpec) =>
      JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'operator-pod-check', namespace: NAMESPACE }, spec })
    const admitted = await cp.kubectl(['create', '--dry-run=server', '-f', '-'], { input: pod(deployment.spec.template.spec) })
    assert.equal(admitted.code, 0, admitted.stderr)
    assert.doesNotMatch(admitted.stderr, /violate PodSecurity/)
    // The check is real: the same pod without its security context is refused.
    const container = operatorContainer(deployment)
    const loose: PodSpec = { ...deployment.spec.template.spec, securityContext: {}, containers: [{ ...container, securityContext: {} }] }
    const refused = await cp.kubectl(['create', '--dry-run=server', '-f', '-'], { input: pod(loose) })
    assert.notEqual(refused.code, 0)
    assert.match(refused.stderr, /violates PodSecurity "restricted:latest"/)
  })

  it('lets the operator do what it needs', async () => {
    await expectAllowed(['patch', 'sites.callcenter.dev', '--subresource=status', '-n', 'callcenter'])
    await expectAllowed(['update', 'sites.callcenter.dev', '--subresource=finalizers', '-n', 'callcenter'])
    await expectAllowed(['watch', 'agentseats.callcenter.dev', '--all-namespaces'])
    await expectAllowed(['create', 'deployments.apps', '-n', 'callcenter'])
    await expectAllowed(['delete', 'statefulsets.apps', '-n', 'callcenter'])
    await expectAllowed(['create', 'secrets', '-n', 'callcenter'])
    await expectAllowed(['list', 'pods', '--all-namespaces'])
    await expectAllowed(['create', 'events.events.k8s.io', '-n', 'callcenter'])
    await expectAllowed(['create', 'networkpolicies.networking.k8s.io', '-n', 'callcenter'])
    await expectAllowed(['update', 'leases.coordination.k8s.io', '-n', NAMESPACE])
    await expectAllowed(['create', 'leases.coordination.k8s.io', '-n', NAMESPACE])
  })

  it('denies the operator what it does not need', async () => {
    await expectDenied(['delete', 'sites.callcenter.dev', '-n', 'callcenter'])
    await expectDenied(['create', 'sites.callcenter.dev', '-n', 'callcenter'])
    await expectDenied(['create', 'pods', '-n', 'callcenter'])
    await expectDenied(['delete', 'secrets', '-n', 'callcenter'])
    await expectDenied(['update', 'secrets', '-n', 'callcenter'])
    await expectDenied(['create', 'serviceaccounts', '-n', 'callcenter'])
    await expectDenied(['update', 'leases.coordination.k8s.io', '-n', 'callcenter'])
    await expectDenied(['delete', 'leases.coordination.k8s.io', '-n', NAMESPACE])
    await expectDenied(['create', 'clusterroles.rbac.authorization.k8s.io'])
    await expectDenied(['update', 'customresourcedefinitions.apiextensions.k8s.io'])
    await expectDenied(['get', 'nodes'])
  })

  it("adds the API to the built-in edit and view roles (status stays the operator's)", async () => {
    succeeded(
      await cp.kubectl(['create', 'rolebinding', 'jane-edit', '--clusterrole=edit', '--user=jane', '-n', 'callcenter']),
      'bind jane',
    )
    succeeded(await cp.kubectl(['create', 'rolebinding', 'joe-view', '--clusterrole=view', '--user=joe', '-n', 'callcenter']), 'bind joe')
    // The aggregation controller fills edit and view asynchronously.
    const deadline = Date.now() + 30_000
    while (!(await canI(['create', 'sites.callcenter.dev', '-n', 'callcenter'], 'jane')) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 250))
    }
    await expectAllowed(['create', 'sites.callcenter.dev', '-n', 'callcenter'], 'jane')
    await expectAllowed(['delete', 'phonemacs.callcenter.dev', '-n', 'callcenter'], 'jane')
    await expectDenied(['patch', 'sites.callcenter.dev', '--subresource=status', '-n', 'callcenter'], 'jane')
    await expectDenied(['create', 'sites.callcenter.dev', '-n', 'other'], 'jane')
    while (!(await canI(['list', 'sites.callcenter.dev', '-n', 'callcenter'], 'joe')) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 250))
    }
    await expectAllowed(['list', 'sites.callcenter.dev', '-n', 'callcenter'], 'joe')
    await expectDenied(['create', 'sites.callcenter.dev', '-n', 'callcenter'], 'joe')
  })

  it('with watchNamespace set, grants Roles in that namespace only', async () => {
    const namespace = 'callcenter-tenant-ops'
    const account = `system:serviceaccount:${namespace}:tenant-callcenter-operator`
    succeeded(await cp.kubectl(['create', 'namespace', 'tenant-a']), 'create namespace tenant-a')
    succeeded(
      await helm.run(
        [
          'install',
          'tenant',
          CHART_DIR,
          `--namespace=${namespace}`,
          '--create-namespace',
          '--skip-crds',
          '--set',
          'watchNamespace=tenant-a,rbac.aggregateToDefaultRoles=false',
        ],
        { kubeconfigPath: cp.kubeconfigPath },
      ),
      'helm install with watchNamespace',
    )
    succeeded(
      await cp.kubectl(['get', 'role/tenant-callcenter-operator', 'rolebinding/tenant-callcenter-operator', '-n', 'tenant-a']),
      'get Role',
    )
    await expectAllowed(['get', 'secrets', '-n', 'tenant-a'], account)
    await expectAllowed(['patch', 'sites.callcenter.dev', '--subresource=status', '-n', 'tenant-a'], account)
    await expectAllowed(['create', 'deployments.apps', '-n', 'tenant-a'], account)
    await expectAllowed(['update', 'leases.coordination.k8s.io', '-n', namespace], account)
    await expectDenied(['get', 'secrets', '-n', 'callcenter'], account)
    await expectDenied(['list', 'sites.callcenter.dev', '--all-namespaces'], account)
    await expectDenied(['create', 'deployments.apps', '-n', 'callcenter'], account)
    await expectDenied(['update', 'leases.coordination.k8s.io', '-n', 'tenant-a'], account)
    await expectDenied(['update', 'leases.coordination.k8s.io', '-n', NAMESPACE], account)
  })

  it('refuses to install with a bad value and creates nothing', async () => {
    const result = await helm.run(['install', 'broken', CHART_DIR, `--namespace=${NAMESPACE}`, '--skip-crds', '--set', 'replicas=-1'], {
      kubeconfigPath: cp.kubeconfigPath,
    })
    assert.notEqual(result.code, 0)
    assert.match(result.stderr, /values don't meet the specifications of the schema[\s\S]*at '\/replicas': minimum: got -1, want 0/)
    const left = succeeded(
      await cp.kubectl([
        'get',
        'deployment,serviceaccount,secret',
        '-n',
        NAMESPACE,
        '-l',
        'app.kubernetes.io/instance=broken',
        '-o',
        'name',
      ]),
      'get',
    )
    assert.equal(left.trim(), '')
    const releases = succeeded(
      await helm.run(['list', '--all', `--namespace=${NAMESPACE}`, '-q'], { kubeconfigPath: cp.kubeconfigPath }),
      'helm list',
    )
    assert.deepEqual(releases.trim().split('\n'), [RELEASE])
  })
})
