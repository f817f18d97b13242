// Persistent volumes for the one node: hostPath directories under the cluster's directory, offered as
// PersistentVolumes of no class, which claims of no class (a Managed Redis's, when the cluster has no
// default StorageClass) bind to. With hostPath the kubelet ignores fsGroup, so each directory is made
// owned by the uid the operator's pods run as.
import { chown, mkdir } from 'node:fs/promises'
import { join } from 'node:path'

/** RUN_AS_USER of operator/render/site/pod.ts. */
const POD_USER = 10001

export async function hostPathVolumes(dir: string, count: number, capacity: string): Promise<object[]> {
  const volumes: object[] = []
  for (let i = 1; i <= count; i++) {
    const path = join(dir, 'volumes', `pv-${i}`)
    await mkdir(path, { recursive: true })
    await chown(path, POD_USER, POD_USER)
    volumes.push({
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name: `callcenter-node-pv-${i}` },
      spec: {
        capacity: { storage: capacity },
        accessModes: ['ReadWriteOnce'],
        persistentVolumeReclaimPolicy: 'Retain',
        storageClassName: '',
        hostPath: { path, type: 'Directory' },
      },
    })
  }
  return volumes
}
