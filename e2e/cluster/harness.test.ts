// The cluster harness's pure parts: what it reads from scripts/images.sh and iptables-save, and the
// example it adapts to one node (which must still be a valid set of resources).
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { Site } from '../../crds/types.ts'
import { formatProblems, validateResource } from '../../crds/validate.ts'
import { parseImageList } from './images.ts'
import { repositoryAndTag } from './kube.ts'
import { oneNodeExample } from './one-node-example.ts'
import { shellWords } from './teardown.ts'

describe('the one-node cluster harness', () => {
  it('reads the image list scripts/images.sh prints', () => {
    const images = parseImageList(
      [
        'operator localhost/callcenter/operator:abc123 localhost/callcenter/operator:0.1.0 /cache/images/operator-abc123.tar',
        'pause localhost/callcenter/pause:def456 registry.k8s.io/pause:3.10.1 /cache/images/pause-def456.tar',
        '',
      ].join('\n'),
    )
    assert.deepEqual([...images.keys()], ['operator', 'pause'])
    assert.equal(images.get('pause')?.alias, 'registry.k8s.io/pause:3.10.1')
    assert.deepEqual(repositoryAndTag(images.get('operator')?.ref ?? ''), { repository: 'localhost/callcenter/operator', tag: 'abc123' })
  })

  it('splits an iptables-save rule with a quoted comment into the arguments of iptables -D', () => {
    const rule = 'PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES'
    assert.deepEqual(shellWords(rule), ['PREROUTING', '-m', 'comment', '--comment', 'kubernetes service portals', '-j', 'KUBE-SERVICES'])
  })

  it('adapts the two-site example to one node: host networking off, no node pool, one small replica each, still valid', () => {
    const objects = oneNodeExample()
    const sites = objects.filter((o) => o.kind === 'Site') as unknown as Site[]
    assert.deepEqual(sites.map((s) => s.metadata.name).sort(), ['nantong', 'shanghai'])
    for (const site of sites) {
      assert.deepEqual(site.spec.placement, { hostNetwork: false })
      for (const component of Object.values(site.spec.components)) {
        assert.deepEqual(component.managed?.replicas, 1, `${site.metadata.name}: one replica`)
      }
    }
    for (const object of objects.filter((o) => o.apiVersion.startsWith('callcenter.dev/'))) {
      const result = validateResource(object)
      assert.ok(result.valid, `${object.kind}/${object.metadata.name}:\n${result.valid ? '' : formatProblems(result.problems)}`)
    }
  })
})
