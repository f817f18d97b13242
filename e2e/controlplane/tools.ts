import { accessSync, constants } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'

export type ToolName = 'etcd' | 'kube-apiserver' | 'kube-controller-manager' | 'kubectl' | 'helm'

/** The bin directory build-tools.sh fills; resolved exactly as that script does. */
export function toolsBinDir(env: NodeJS.ProcessEnv = process.env): string {
  // `||` rather than `??`: like bash's ${VAR:-default}, an empty variable counts as unset.
  const cacheRoot = env.CALLCENTER_TOOLS_CACHE || join(env.XDG_CACHE_HOME || join(env.HOME || homedir(), '.cache'), 'callcenter-operator')
  return join(cacheRoot, 'bin')
}

export function toolPath(name: ToolName, env: NodeJS.ProcessEnv = process.env): string {
  const path = join(toolsBinDir(env), name)
  try {
    accessSync(path, constants.X_OK)
  } catch {
    throw new Error(
      `${name} is missing: no executable at ${path}. ` +
        `Run 'npm run setup' to build the control-plane tools (e2e/controlplane/build-tools.sh).`,
    )
  }
  return path
}
