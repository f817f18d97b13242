// containerd (Debian's) for the one-node cluster, with its own root, state and socket, so it neither sees
// nor disturbs another containerd on the machine. The CRI plugin runs pods with runc through
// runc-wrapper.sh, the cgroupfs driver, the project's pause image as the sandbox image, and the CNI bridge
// configured by cni.ts. State, socket and network namespaces live under the cluster's directory; the root
// (image content and unpacked layers) is kept in the tools cache, so that a warm start imports only images
// that changed. The cluster's containers are removed from it when the cluster stops.
import { writeFile, mkdir } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { join } from 'node:path'
import { run, runQuietly } from './exec.ts'
import { toolsCacheRoot } from './tools.ts'
import type { ProjectImages } from './images.ts'
import { startProcess, type ManagedProcess } from '../controlplane/processes.ts'
import { waitUntilReady } from '../controlplane/readiness.ts'

/** The name kubelet 1.35 expects for the sandbox image; images/pause/build.sh tags the project's so. */
export const SANDBOX_IMAGE = 'registry.k8s.io/pause:3.10.1'
export const RUNC_WRAPPER = fileURLToPath(new URL('runc-wrapper.sh', import.meta.url))

export interface ContainerdPaths {
  readonly root: string
  readonly state: string
  readonly socket: string
  readonly cniConfDir: string
}

export function containerdPaths(dir: string): ContainerdPaths {
  return {
    root: join(toolsCacheRoot(), 'cluster', 'containerd-root'),
    state: join(dir, 'containerd', 'state'),
    socket: join(dir, 'containerd', 'containerd.sock'),
    cniConfDir: join(dir, 'cni', 'net.d'),
  }
}

function config(paths: ContainerdPaths, dir: string): string {
  const cri = 'plugins."io.containerd.grpc.v1.cri"'
  return `version = 2
root = "${paths.root}"
state = "${paths.state}"
# Snapshotters and exporters a test node does not use.
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs",
  "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper",
  "io.containerd.tracing.processor.v1.otlp", "io.containerd.internal.v1.tracing"]

[grpc]
  address = "${paths.socket}"
[ttrpc]
  address = "${paths.socket}.ttrpc"

[plugins."io.containerd.internal.v1.opt"]
  path = "${join(dir, 'containerd', 'opt')}"
[${cri}]
  sandbox_image = "${SANDBOX_IMAGE}"
  netns_mounts_under_state_dir = true
  enable_selinux = false
[${cri}.containerd]
  snapshotter = "overlayfs"
  default_runtime_name = "runc"
[${cri}.containerd.runtimes.runc]
  runtime_type = "io.containerd.runc.v2"
[${cri}.containerd.runtimes.runc.options]
  BinaryName = "${RUNC_WRAPPER}"
  SystemdCgroup = false
[${cri}.cni]
  bin_dir = "/usr/lib/cni"
  conf_dir = "${paths.cniConfDir}"
`
}

export async function startContainerd(dir: string): Promise<{ process: ManagedProcess; paths: ContainerdPaths }> {
  const paths = containerdPaths(dir)
  await mkdir(join(dir, 'containerd'), { recursive: true })
  const configPath = join(dir, 'containerd', 'config.toml')
  await writeFile(configPath, config(paths, dir))
  const process = startProcess({
    name: 'containerd',
    command: 'containerd',
    args: ['--config', configPath, '--log-level', 'warn'],
    logPath: join(dir, 'containerd.log'),
  })
  await waitUntilReady(process, async () => {
    await ctr(paths, ['version'])
    return true
  })
  return { process, paths }
}

export function ctr(paths: ContainerdPaths, args: readonly string[]): Promise<string> {
  return run('ctr', ['--address', paths.socket, '--namespace', 'k8s.io', ...args])
}

/**
 * Makes containerd hold exactly the project's current images: imports the docker-archive tarballs of
 * scripts/images.sh whose content-tagged name it lacks, and removes the project's images of earlier
 * builds (their content goes with containerd's garbage collection).
 */
export async function syncImages(paths: ContainerdPaths, images: ProjectImages): Promise<void> {
  const present = new Set((await ctr(paths, ['images', 'list', '--quiet'])).split('\n').filter(Boolean))
  for (const { ref, tarball } of images.values()) {
    if (!present.has(ref)) await ctr(paths, ['images', 'import', '--snapshotter', 'overlayfs', tarball])
  }
  const wanted = new Set([...images.values()].flatMap(({ ref, alias }) => [ref, alias]))
  const stale = [...present].filter((name) => name.startsWith('localhost/callcenter/') && !wanted.has(name))
  if (stale.length > 0) await ctr(paths, ['images', 'remove', ...stale])
}

/** Removes every container (and its task) the cluster left in containerd's kept root. */
export async function removeContainers(paths: ContainerdPaths): Promise<void> {
  for (const id of (await runQuietly('ctr', ['--address', paths.socket, '--namespace', 'k8s.io', 'tasks', 'list', '--quiet'])).split(
    '\n',
  )) {
    if (id) await runQuietly('ctr', ['--address', paths.socket, '--namespace', 'k8s.io', 'tasks', 'delete', '--force', id])
  }
  const containers = (await runQuietly('ctr', ['--address', paths.socket, '--namespace', 'k8s.io', 'containers', 'list', '--quiet'])).split(
    '\n',
  )
  const ids = containers.filter(Boolean)
  if (ids.length > 0) await runQuietly('ctr', ['--address', paths.socket, '--namespace', 'k8s.io', 'containers', 'delete', ...ids])
}
