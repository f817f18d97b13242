import { spawn } from 'node:child_process'
import { toolPath } from './tools.ts'

export interface CommandResult {
  readonly stdout: string
  readonly stderr: string
  readonly code: number
}

/** Runs kubectl against `kubeconfigPath`. A non-zero exit is a result, not an exception. */
export function runKubectl(kubeconfigPath: string, args: readonly string[], options: { input?: string } = {}): Promise<CommandResult> {
  const binary = toolPath('kubectl')
  return new Promise((resolve, reject) => {
    const child = spawn(binary, [`--kubeconfig=${kubeconfigPath}`, ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
      // Keep a developer's own cluster settings out of the test.
      env: { ...process.env, KUBECONFIG: kubeconfigPath },
    })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
    child.once('error', (error) => {
      reject(new Error(`could not run kubectl: ${error.message}`, { cause: error }))
    })
    child.once('close', (code, signal) => {
      resolve({ stdout, stderr: signal === null ? stderr : `${stderr}(killed by ${signal})`, code: code ?? 1 })
    })
    // kubectl may exit before reading stdin (for example on a bad flag); that is not our error.
    child.stdin.on('error', () => {})
    child.stdin.end(options.input ?? '')
  })
}
