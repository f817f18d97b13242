// The cluster the demo runs against: with KUBECONFIG set, that one; otherwise a local control plane
// (etcd + kube-apiserver on loopback, the e2e test bed's). kubectl runs exactly as a person would type
// it, with KUBECONFIG in its environment, so the commands the demo prints can be pasted.
import { spawn } from 'node:child_process'
import { accessSync, constants } from 'node:fs'
import { startControlPlane } from '../e2e/controlplane/controlplane.ts'
import { toolPath } from '../e2e/controlplane/tools.ts'

export interface KubectlResult {
  stdout: string
  stderr: string
  code: number
}

export interface DemoCluster {
  /** Shown in the header, e.g. "local control plane https://127.0.0.1:41234". */
  description: string
  /** The kubeconfig file (local control plane), or the KUBECONFIG value of the environment. */
  kubeconfig: string
  /** True when the demo started the cluster (and stops it). */
  local: boolean
  /** The kubectl binary the demo runs. */
  kubectlPath: string
  kubectl(args: readonly string[], input?: string): Promise<KubectlResult>
  stop(): Promise<void>
}

/** kubectl from the tools cache (npm run setup builds it), else the one on PATH. */
function kubectlBinary(): string {
  try {
    return toolPath('kubectl')
  } catch (error) {
    for (const dir of (process.env['PATH'] ?? '').split(':')) {
      try {
        accessSync(`${dir}/kubectl`, constants.X_OK)
        return `${dir}/kubectl`
      } catch {
        // not here
      }
    }
    throw error
  }
}

function runKubectl(binary: string, kubeconfig: string, args: readonly string[], input?: string): Promise<KubectlResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, KUBECONFIG: kubeconfig } })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
    child.once('error', (error) => reject(new Error(`could not run kubectl (${binary}): ${error.message}`, { cause: error })))
    child.once('close', (code) => resolve({ stdout, stderr, code: code ?? 1 }))
    child.stdin.on('error', () => {})
    child.stdin.end(input ?? '')
  })
}

/** How a person would type the command (single quotes where the shell needs them). */
export function commandLine(args: readonly string[]): string {
  return ['kubectl', ...args].map((arg) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`)).join(' ')
}

export async function connectCluster(env: NodeJS.ProcessEnv = process.env): Promise<DemoCluster> {
  const kubectl = kubectlBinary()
  const fromEnv = env['KUBECONFIG']
  if (fromEnv !== undefined && fromEnv !== '') {
    const probe = await runKubectl(kubectl, fromEnv, ['config', 'current-context'])
    if (probe.code !== 0) throw new Error(`KUBECONFIG=${fromEnv} has no usable current context: ${probe.stderr.trim()}`)
    return {
      description: `cluster of context ${probe.stdout.trim()} (KUBECONFIG)`,
      kubeconfig: fromEnv,
      local: false,
      kubectlPath: kubectl,
      kubectl: (args, input) => runKubectl(kubectl, fromEnv, args, input),
      stop: async () => {},
    }
  }
  const controlPlane = await startControlPlane()
  return {
    description: `local control plane ${controlPlane.server}`,
    kubeconfig: controlPlane.kubeconfigPath,
    local: true,
    kubectlPath: kubectl,
    kubectl: (args, input) => runKubectl(kubectl, controlPlane.kubeconfigPath, args, input),
    stop: () => controlPlane.stop(),
  }
}

/** The output of a kubectl run that must succeed, or an Error with the command and kubectl's message. */
export function mustSucceed(result: KubectlResult, args: readonly string[]): string {
  if (result.code !== 0) throw new Error(`${commandLine(args)} failed: ${result.stderr.trim() || `exit code ${result.code}`}`)
  return result.stdout
}
