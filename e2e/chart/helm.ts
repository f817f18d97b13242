// Runs the helm binary the control-plane tools build, isolated from the developer's own helm setup.
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { CommandResult } from '../controlplane/controlplane.ts'
import { forgetDirOnExit, removeDirOnExit } from '../controlplane/processes.ts'
import { toolPath } from '../controlplane/tools.ts'

export const CHART_DIR = 'charts/callcenter-operator'
/** The Kubernetes version helm assumes when rendering without a cluster (our control plane's). */
export const KUBE_VERSION = 'v1.35.4'

export interface Helm {
  run(args: readonly string[], options?: { kubeconfigPath?: string }): Promise<CommandResult>
  /** Removes helm's config, cache and data directories. */
  cleanup(): void
}

export function createHelm(): Helm {
  const binary = toolPath('helm')
  // helm keeps repositories, plugins and its registry login here; a fresh home keeps the test hermetic.
  const home = mkdtempSync(join(tmpdir(), 'callcenter-helm-'))
  removeDirOnExit(home)
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HELM_CONFIG_HOME: join(home, 'config'),
    HELM_CACHE_HOME: join(home, 'cache'),
    HELM_DATA_HOME: join(home, 'data'),
  }
  delete env.KUBECONFIG
  delete env.HELM_NAMESPACE
  delete env.HELM_KUBECONTEXT
  return {
    run(args, options = {}) {
      const fullArgs = options.kubeconfigPath === undefined ? [...args] : [...args, `--kubeconfig=${options.kubeconfigPath}`]
      return new Promise((resolve, reject) => {
        const child = spawn(binary, fullArgs, { stdio: ['ignore', 'pipe', 'pipe'], env })
        let stdout = ''
        let stderr = ''
        child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
        child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
        child.once('error', (error) => {
          reject(new Error(`could not run helm: ${error.message}`, { cause: error }))
        })
        child.once('close', (code, signal) => {
          resolve({ stdout, stderr: signal === null ? stderr : `${stderr}(killed by ${signal})`, code: code ?? 1 })
        })
      })
    },
    cleanup() {
      rmSync(home, { recursive: true, force: true })
      forgetDirOnExit(home)
    },
  }
}
