// The one-node cluster from the command line, to try the chart by hand:
//   npm run cluster -- up      starts it (building missing images), prints KUBECONFIG, runs until Ctrl-C
//   npm run cluster -- down    removes whatever a cluster left on this machine
import { startCluster, clusterDir } from './cluster.ts'
import { containerdPaths } from './containerd.ts'
import { buildProjectImages } from './images.ts'
import { sweep } from './teardown.ts'

const command = process.argv[2]
if (command === 'down') {
  const dir = clusterDir()
  await sweep(dir, containerdPaths(dir))
} else if (command === 'up') {
  const started = Date.now()
  const images = await buildProjectImages()
  const cluster = await startCluster(images)
  console.log(`one-node cluster ready in ${Math.round((Date.now() - started) / 1000)} s: ${JSON.stringify(cluster.timings)}`)
  console.log(`export KUBECONFIG=${cluster.kubeconfigPath}`)
  for (const { name, ref, alias } of images.values()) console.log(`image ${name}: ${ref} (also ${alias})`)
  console.log('Ctrl-C stops it and removes everything it made.')
  const stop = () => {
    void cluster.stop().then(() => process.exit(0))
  }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
  setInterval(() => {}, 1 << 30)
} else {
  console.error('usage: npm run cluster -- up | down')
  process.exit(2)
}
