// The node's binaries, built by e2e/controlplane/build-tools.sh beside the control plane's.
import { accessSync, constants } from 'node:fs'
import { dirname, join } from 'node:path'
import { toolsBinDir } from '../controlplane/tools.ts'

/** ${CALLCENTER_TOOLS_CACHE:-~/.cache/callcenter-operator}, as the build scripts resolve it. */
export const toolsCacheRoot = (env: NodeJS.ProcessEnv = process.env): string => dirname(toolsBinDir(env))

export type NodeToolName = 'kubelet' | 'kube-scheduler' | 'kube-proxy' | 'coredns'

export function nodeToolPath(name: NodeToolName, env: NodeJS.ProcessEnv = process.env): string {
  const path = join(toolsBinDir(env), name)
  try {
    accessSync(path, constants.X_OK)
  } catch {
    throw new Error(`${name} is missing: no executable at ${path}. Run 'npm run setup' (e2e/controlplane/build-tools.sh builds it).`)
  }
  return path
}
