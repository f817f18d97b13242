// The operator on a real one-node Kubernetes: the project's images, the Helm chart, leader election with
// the chart's RBAC, and the two-site example (adapted to one node, one-node-example.ts) provisioned into
// running pods. The cluster is started here and removed at the end, leaving nothing on the machine.
//
import assert from 'node:assert/strict'
import { readdir, readFile, stat } from 'node:fs/promises'
import { after, before, describe, it } from 'node:test'
import { BRIDGE_NAME } from './addresses.ts'
import { startCluster, type Cluster } from './cluster.ts'
import { buildProjectImages, image, type ProjectImages } from './images.ts'
import { getJson, pods, repositoryAndTag } from './kube.ts'
import { AGENT_PASSWORD, exampleAgents, loginIdentitySecrets, NAMESPACE, oneNodeExample, SITES } from './one-node-example.ts'
import { hostPathVolumes } from './volumes.ts'
import { runQuietly } from './exec.ts'
import { CHART_DIR, createHelm, type Helm } from '../chart/helm.ts'
import { eventually } from '../operator/operator-process.ts'

const RELEASE = 'callcenter-operator'
const OPERATOR_NAMESPACE = 'callcenter-system'
const MINUTE = 60_000

/**
 * The chart values naming the FreeSWITCH, Kamailio and Redis images built here. A developer who builds
 * only some images (CALLCENTER_IMAGES="operator workloads ...") gets the chart's defaults for the rest.
 */
function thirdPartyImages(images: ProjectImages): string[] {
  return (['freeswitch', 'kamailio', 'redis'] as const).flatMap((name) => {
    const built = images.get(name)
    return built ? ['--set', `workloadImages.${name}=${built.ref}`] : []
  })
}

interface Lease {
  spec: { holderIdentity?: string }
}

describe('the operator on a one-node cluster', () => {
  let images: ProjectImages
  let cluster: Cluster
  let helm: Helm
  const started = Date.now()

  before(async () => {
    images = await buildProjectImages()
    const built = Date.now()
    cluster = await startCluster(images)
    helm = createHelm()
    console.log(
      `# images ${((built - started) / 1000).toFixed(1)} s, cluster ${((Date.now() - built) / 1000).toFixed(1)} s ${JSON.stringify(cluster.timings)}`,
    )
  })
  after(async () => {
    // Undefined when before() failed part-way.
    ;(helm as Helm | undefined)?.cleanup()
    await (cluster as Cluster | undefined)?.stop()
  })

  const kubectlOk = async (args: readonly string[], input?: string): Promise<string> => {
    const result = await cluster.kubectl(args, input === undefined ? {} : { input })
    assert.equal(result.code, 0, `kubectl ${args.join(' ')} failed: ${result.stderr}${result.stdout}`)
    return result.stdout
  }

  it('runs a pod that finds a Service through cluster DNS and reaches the apiserver through the kubernetes Service', async () => {
    const script = [
      "const dns = await import('node:dns/promises')",
      "const { address } = await dns.lookup('kubernetes.default.svc.cluster.local')",
      "const response = await fetch('https://kubernetes.default.svc/livez').catch((e) => ({ status: e.cause?.code ?? e.message }))",
      'console.log(JSON.stringify({ address, status: response.status }))',
    ].join('; ')
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'probe', namespace: 'default' },
      spec: {
        restartPolicy: 'Never',
        containers: [
          {
            name: 'probe',
            image: image(images, 'workloads').ref,
            command: ['node', '--input-type=module', '-e', script],
            // The apiserver's certificate is signed by the cluster's own CA, which this pod does not hold.
            env: [{ name: 'NODE_TLS_REJECT_UNAUTHORIZED', value: '0' }],
          },
        ],
      },
    }
    await kubectlOk(['apply', '-f', '-'], JSON.stringify(pod))
    await eventually(
      'the probe pod to finish',
      () => pods(cluster, 'default'),
      (list) => list.some((p) => p.phase === 'Succeeded' || p.phase === 'Failed'),
      2 * MINUTE,
    )
    // The log holds Node's warning about NODE_TLS_REJECT_UNAUTHORIZED too; the probe's line is the JSON one.
    const logs = await kubectlOk(['logs', '-n', 'default', 'probe'])
    const output = JSON.parse(logs.split('\n').find((line) => line.startsWith('{')) ?? logs) as { address: string; status: number }
    assert.equal(output.address, '198.19.0.1')
    assert.equal(output.status, 200, 'GET /livez through the kubernetes Service')
    await kubectlOk(['delete', 'pod', '-n', 'default', 'probe', '--wait=false'])
  })

  it('helm install runs the operator with the chart RBAC: both replicas Ready, one holding the leader Lease', async () => {
    const operator = repositoryAndTag(image(images, 'operator').ref)
    const workloads = repositoryAndTag(image(images, 'workloads').ref)
    const extraEnv = [
      { name: 'CALLCENTER_POD_CIDRS', value: '198.18.0.0/16' },
      { name: 'CALLCENTER_NODE_CIDRS', value: `${cluster.nodeIp}/32` },
    ]
    const install = await helm.run(
      [
        'install',
        RELEASE,
        CHART_DIR,
        '-n',
        OPERATOR_NAMESPACE,
        '--create-namespace',
        '--wait',
        '--timeout',
        '5m',
        '--set',
        `image.repository=${operator.repository}`,
        '--set',
        `image.tag=${operator.tag}`,
        '--set',
        `workloadImages.callcenter.repository=${workloads.repository}`,
        '--set',
        `workloadImages.callcenter.tag=${workloads.tag}`,
        ...thirdPartyImages(images),
        '--set-json',
        `extraEnv=${JSON.stringify(extraEnv)}`,
      ],
      { kubeconfigPath: cluster.kubeconfigPath },
    )
    assert.equal(install.code, 0, `helm install failed: ${install.stderr}`)
    const operatorPods = await pods(cluster, OPERATOR_NAMESPACE)
    assert.equal(operatorPods.filter((p) => p.ready).length, 2, JSON.stringify(operatorPods))
    const lease = await eventually(
      'a leader',
      () => getJson<Lease>(cluster, ['get', 'lease', 'callcenter-operator', '-n', OPERATOR_NAMESPACE]).catch((): Lease => ({ spec: {} })),
      (l) => l.spec.holderIdentity !== undefined,
      2 * MINUTE,
    )
    assert.ok(
      operatorPods.some((p) => p.name === lease.spec.holderIdentity),
      `leader ${lease.spec.holderIdentity} is one of the operator pods`,
    )
  })

  it('provisions every object of both sites of the example, adapted to one node', async () => {
    const volumes = await hostPathVolumes(cluster.dir, SITES.length, '1Gi')
    await kubectlOk(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: volumes }))
    // The namespace first (the example's own), then who may sign in, then the rest of the example.
    const example = oneNodeExample()
    const [namespace] = example
    assert.equal(namespace?.kind, 'Namespace')
    await kubectlOk(['apply', '-f', '-'], JSON.stringify(namespace))
    await kubectlOk(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: loginIdentitySecrets() }))
    await kubectlOk(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: example }))
    const kinds = 'statefulsets,deployments,services,configmaps,secrets,poddisruptionbudgets,networkpolicies'
    const owned = async (site: string) =>
      (await kubectlOk(['get', kinds, '-n', NAMESPACE, '-l', `callcenter.dev/site=${site}`, '-o', 'name'])).split('\n').filter(Boolean)
    for (const site of SITES) {
      const expected = [
        `statefulset.apps/${site}-softswitch`,
        `statefulset.apps/${site}-redis`,
        `deployment.apps/${site}-edge`,
        `deployment.apps/${site}-acd`,
        `deployment.apps/${site}-login`,
        `deployment.apps/${site}-cti`,
        `configmap/${site}-softswitch`,
        `configmap/${site}-edge`,
        `secret/${site}-esl`,
        `secret/${site}-login-token`,
        `secret/${site}-redis`,
      ]
      const names = await eventually(
        `${site}'s objects`,
        () => owned(site),
        (n) => expected.every((e) => n.includes(e)),
        2 * MINUTE,
      )
      assert.deepEqual(
        expected.filter((e) => !names.includes(e)),
        [],
      )
    }
    assert.equal((await owned('nantong')).length, (await owned('shanghai')).length)
  })

  it('runs each site’s Redis and FreeSWITCH pods, as the operator renders them, to Ready', async () => {
    for (const site of SITES) {
      for (const component of ['redis', 'softswitch']) {
        const selector = `callcenter.dev/site=${site},app.kubernetes.io/component=${component}`
        await eventually(
          `${site} ${component} Ready`,
          () => pods(cluster, NAMESPACE, selector),
          (list) => list.length > 0 && list.every((p) => p.ready),
          3 * MINUTE,
        )
      }
    }
  })

  it('runs every pod of both sites to Ready', async () => {
    await eventually(
      'every site pod Ready',
      () => pods(cluster, NAMESPACE),
      (list) => list.length > 0 && list.every((p) => p.ready),
      2 * MINUTE,
    )
  })

  it('shows both sites Healthy in kubectl get sites', async () => {
    interface SiteList {
      items: { metadata: { name: string }; status?: { health?: string; phase?: string } }[]
    }
    const health = async () =>
      (await getJson<SiteList>(cluster, ['get', 'sites', '-n', NAMESPACE])).items.map((s) => ({
        name: s.metadata.name,
        phase: s.status?.phase,
        health: s.status?.health,
      }))
    const sites = await eventually(
      'both sites Healthy',
      health,
      (list) => list.length === 2 && list.every((s) => s.health === 'Healthy'),
      MINUTE,
    )
    assert.deepEqual(sites.map((s) => s.name).sort(), [...SITES].sort())
  })

  /** The address of a Service's first port, reachable from this machine through kube-proxy. */
  const serviceUrl = async (name: string): Promise<string> => {
    const service = await getJson<{ spec: { clusterIP: string; ports: { port: number }[] } }>(cluster, [
      'get',
      'service',
      name,
      '-n',
      NAMESPACE,
    ])
    return `http://${service.spec.clusterIP}:${service.spec.ports[0]?.port}`
  }

  it('signs an agent in and out through each site’s login Service', async () => {
    for (const site of SITES) {
      const agent = exampleAgents().find((a) => a.homeSite === site)
      assert.ok(agent, `the example has an agent homed at ${site}`)
      const url = await serviceUrl(`${site}-login`)
      // The operator projects the AgentSeats into each site's Redis once that Redis answers, a few seconds
      // after the pods turn Ready; until then a sign-in finds no seat. Waited for in Redis itself, since every
      // failed sign-in counts against this address's sign-in limit.
      await eventually(
        `${agent.account} projected into ${site}'s Redis`,
        async () =>
          (
            await cluster.kubectl(['exec', '-n', NAMESPACE, `${site}-redis-0`, '--', 'redis-cli', 'exists', `cc:account:${agent.account}`])
          ).stdout.trim(),
        (exists) => exists === '1',
        MINUTE,
      )
      const response = await fetch(`${url}/v1/signin`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ account: agent.account, password: AGENT_PASSWORD, pcHostName: agent.pcHostName }),
      })
      const status = response.status
      const body = (await response.json()) as { site?: string; agentId?: string; extension?: string; token?: string }
      assert.equal(status, 200, `sign-in at ${site}: ${JSON.stringify(body)}`)
      assert.equal(body.site, site)
      assert.equal(body.agentId, agent.agentId)
      assert.ok(body.extension, 'the phone extension of the site')
      // Signed out again, so that no session holds up the Site deletion below (a deleted Site drains first).
      const signout = await fetch(`${url}/v1/signout`, { method: 'POST', headers: { authorization: `Bearer ${body.token}` } })
      assert.equal(signout.status, 200, await signout.text())
    }
  })

  it(
    'takes a carrier call through the shanghai edge pod to FreeSWITCH, the CTI and ACD pods, and an agent phone that answers',
    {
      todo: 'the call path does not reach an agent phone yet (phones register at the Kamailio edge, FreeSWITCH looks them up as user/EXT: managed-mode findings); it is being built in main (workloads/cti, workloads/edge, e2e/callpath)',
    },
    () => {
      // not written until the call path reaches a phone outside the cluster
    },
  )

  it('runs a SiteDown drill by kubectl patch: shanghai scales to zero, the failover is confirmed and flipped, the restore brings the pods back', async () => {
    const drill = { name: 'site-down-1', scenario: 'SiteDown', durationSeconds: 45 }
    const patchedAt = Date.now()
    await kubectlOk(['patch', 'site', 'shanghai', '-n', NAMESPACE, '--type=merge', '-p', JSON.stringify({ spec: { drill } })])
    await eventually(
      'shanghai scaled to zero',
      async () =>
        (await getJson<{ spec: { replicas?: number } }>(cluster, ['get', 'statefulset', 'shanghai-softswitch', '-n', NAMESPACE])).spec
          .replicas,
      (replicas) => replicas === 0,
      2 * MINUTE,
    )
    interface DrillSite {
      status?: { lastDrill?: { name: string; state: string; timeline: Record<string, string | undefined> }; lastFailover?: unknown }
    }
    const site = await eventually(
      'the drill Completed',
      () => getJson<DrillSite>(cluster, ['get', 'site', 'shanghai', '-n', NAMESPACE]),
      (s) => s.status?.lastDrill?.name === drill.name && ['Completed', 'Failed'].includes(s.status.lastDrill.state),
      5 * MINUTE,
    )
    const last = site.status?.lastDrill
    assert.equal(last?.state, 'Completed', JSON.stringify(last))
    for (const mark of ['fault', 'confirmed', 'flipped', 'restored'])
      assert.ok(last.timeline[mark], `timeline has ${mark}: ${JSON.stringify(last)}`)
    const at = (mark: string) => Date.parse(last.timeline[mark] ?? '') - Date.parse(last.timeline['fault'] ?? '')
    console.log(
      `# SiteDown drill: confirmed ${at('confirmed')} ms, flipped ${at('flipped')} ms after the fault; completed ${Date.now() - patchedAt} ms after the patch`,
    )
    await eventually(
      'every shanghai pod back and Ready',
      () => pods(cluster, NAMESPACE, 'callcenter.dev/site=shanghai'),
      (list) => list.length >= 6 && list.every((p) => p.ready),
      4 * MINUTE,
    )
    // Failback is Manual (the default): a person approves it, and shanghai serves again.
    const failoverId = (
      await getJson<{ status?: { lastFailover?: { id?: string } } }>(cluster, ['get', 'site', 'shanghai', '-n', NAMESPACE])
    ).status?.lastFailover?.id
    assert.ok(failoverId, 'the drill left a lastFailover')
    await kubectlOk(['annotate', 'site', 'shanghai', '-n', NAMESPACE, `callcenter.dev/approve-failback=${failoverId}`])
    const back = await eventually(
      'shanghai failed back',
      () => getJson<{ status?: { lastFailback?: { id: string; state: string } } }>(cluster, ['get', 'site', 'shanghai', '-n', NAMESPACE]),
      (s) => s.status?.lastFailback?.id === failoverId && s.status.lastFailback.state === 'Completed',
      4 * MINUTE,
    )
    assert.equal(back.status?.lastFailback?.state, 'Completed')
  })

  it(
    'lands agents and new calls of shanghai at nantong during the drill, with its figures (confirmed, re-login p99, calls lost)',
    { todo: 'needs agent simulators with standby connections and calls inside the cluster, after the call path reaches a phone' },
    () => {
      // not written yet
    },
  )

  it('helm upgrade with a changed FreeSWITCH image rolls the soft switches to Ready pods running it', async () => {
    const alias = image(images, 'freeswitch').alias
    const upgrade = await helm.run(
      [
        'upgrade',
        RELEASE,
        CHART_DIR,
        '-n',
        OPERATOR_NAMESPACE,
        '--reuse-values',
        '--wait',
        '--timeout',
        '5m',
        '--set',
        `workloadImages.freeswitch=${alias}`,
      ],
      { kubeconfigPath: cluster.kubeconfigPath },
    )
    assert.equal(upgrade.code, 0, `helm upgrade failed: ${upgrade.stderr}`)
    interface StatefulSet {
      spec: { replicas: number; template: { spec: { containers: { image: string }[] } } }
      status: { readyReplicas?: number; updatedReplicas?: number; currentRevision?: string; updateRevision?: string }
    }
    for (const site of SITES) {
      const rolled = await eventually(
        `${site}'s soft switches rolled`,
        () => getJson<StatefulSet>(cluster, ['get', 'statefulset', `${site}-softswitch`, '-n', NAMESPACE]),
        (s) =>
          s.spec.template.spec.containers[0]?.image === alias &&
          s.status.currentRevision === s.status.updateRevision &&
          s.status.updatedReplicas === s.spec.replicas &&
          s.status.readyReplicas === s.spec.replicas,
        5 * MINUTE,
      )
      assert.equal(rolled.spec.template.spec.containers[0]?.image, alias)
    }
  })

  it(
    'keeps a call in progress up while helm upgrade rolls its soft switch (graceful drain)',
    { todo: 'needs a call through the cluster, after the call path reaches a phone' },
    () => {
      // not written yet
    },
  )

  it('deleting a Site removes its objects while the other site serves', async () => {
    await kubectlOk(['delete', 'site', 'nantong', '-n', NAMESPACE, '--timeout=4m'])
    const kinds = 'statefulsets,deployments,services,configmaps,secrets,poddisruptionbudgets,networkpolicies,pods'
    const left = await eventually(
      'nantong’s objects gone',
      async () =>
        (await kubectlOk(['get', kinds, '-n', NAMESPACE, '-l', 'callcenter.dev/site=nantong', '-o', 'name'])).split('\n').filter(Boolean),
      (names) => names.length === 0,
      3 * MINUTE,
    )
    assert.deepEqual(left, [])
    assert.equal(
      (await pods(cluster, NAMESPACE, 'callcenter.dev/site=shanghai')).every((p) => p.ready),
      true,
      'shanghai untouched',
    )
  })

  it('helm uninstall, after the sites are deleted, leaves only the CRDs', async () => {
    await kubectlOk(['delete', 'sites,trunks,skillgroups,agentseats,phonemacs', '--all', '-n', NAMESPACE, '--timeout=3m'])
    const uninstall = await helm.run(['uninstall', RELEASE, '-n', OPERATOR_NAMESPACE, '--wait', '--timeout', '3m'], {
      kubeconfigPath: cluster.kubeconfigPath,
    })
    assert.equal(uninstall.code, 0, `helm uninstall failed: ${uninstall.stderr}`)
    // The garbage collector removes the ReplicaSet and its pods after the Deployment; the namespace itself
    // (created by --create-namespace) stays, as helm leaves it, with what Kubernetes puts in every one.
    const left = async () =>
      (await kubectlOk(['get', 'all,serviceaccounts,roles,rolebindings,configmaps,secrets', '-n', OPERATOR_NAMESPACE, '-o', 'name']))
        .split('\n')
        .filter((n) => n && n !== 'serviceaccount/default' && n !== 'configmap/kube-root-ca.crt')
    assert.deepEqual(await eventually('the release to be gone', left, (names) => names.length === 0, 2 * MINUTE), [])
    const clusterWide = await kubectlOk(['get', 'clusterroles,clusterrolebindings', '-o', 'name'])
    assert.deepEqual(
      clusterWide.split('\n').filter((n) => n.includes('callcenter-operator')),
      [],
    )
    const crds = await kubectlOk(['get', 'crds', '-o', 'name'])
    assert.deepEqual(
      crds
        .split('\n')
        .filter((n) => n.includes('callcenter.dev'))
        .sort(),
      [
        'customresourcedefinition.apiextensions.k8s.io/agentseats.callcenter.dev',
        'customresourcedefinition.apiextensions.k8s.io/phonemacs.callcenter.dev',
        'customresourcedefinition.apiextensions.k8s.io/sites.callcenter.dev',
        'customresourcedefinition.apiextensions.k8s.io/skillgroups.callcenter.dev',
        'customresourcedefinition.apiextensions.k8s.io/trunks.callcenter.dev',
      ],
    )
  })

  it('leaves no leader Lease behind either: the Lease is the release’s', async () => {
    const leases = await kubectlOk(['get', 'leases', '-n', OPERATOR_NAMESPACE, '-o', 'name'])
    assert.deepEqual(leases.split('\n').filter(Boolean), [])
  })

  it('stops and leaves nothing on the machine: no process, mount, bridge, pod cgroup, KUBE-* chain or directory', async () => {
    const stopStarted = Date.now()
    await cluster.stop()
    console.log(`# teardown ${((Date.now() - stopStarted) / 1000).toFixed(1)} s`)
    const mounts = await readFile('/proc/self/mountinfo', 'utf8')
    assert.equal(mounts.includes(cluster.dir), false, 'no mount under the cluster directory')
    assert.equal(await stat(cluster.dir).catch(() => undefined), undefined, 'the cluster directory is gone')
    assert.equal((await runQuietly('ip', ['link', 'show', BRIDGE_NAME])).trim(), '', 'the bridge is gone')
    for (const hierarchy of await readdir('/sys/fs/cgroup')) {
      assert.equal(
        await stat(`/sys/fs/cgroup/${hierarchy}/kubepods`).catch(() => undefined),
        undefined,
        `no kubepods cgroup in ${hierarchy}`,
      )
    }
    for (const table of ['filter', 'nat', 'mangle']) {
      assert.doesNotMatch(await runQuietly('iptables-save', ['-t', table]), /KUBE-/, `no KUBE-* chain in ${table}`)
    }
    const leftovers = (await readdir('/proc')).filter((p) => /^\d+$/.test(p))
    for (const pid of leftovers) {
      const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')
      assert.equal(cmdline.includes(cluster.dir), false, `process ${pid} (${cmdline.replaceAll('\0', ' ')}) still runs`)
    }
  })
})
