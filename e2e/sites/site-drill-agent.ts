// A harness site's drill agent: the library form of workloads/drill-agent on loopback, wired to the
// site's processes (stop = SIGKILL, start = spawn again on the same ports), or the real entry point
// (main.ts) as a process configured by its environment, running real shell commands; and the Secret that
// holds its token, as a Site's spec.drillAgent names it.
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import type { Site } from '../../crds/types.ts'
import { createDrillAgent, type ComponentControl, type DrillComponent } from '../../workloads/drill-agent/agent.ts'
import { NAMESPACE, type SiteName } from './manifests.ts'
import { killOnExit } from './processes.ts'

export const DRILL_AGENT_TOKEN_KEY = 'token'

export interface SiteDrillAgent {
  url: string
  close(): Promise<void>
}

export async function startSiteDrillAgent(
  token: string,
  components: Partial<Record<DrillComponent, ComponentControl>>,
): Promise<SiteDrillAgent> {
  const app = createDrillAgent({ token, components })
  const url = await app.listen({ host: '127.0.0.1', port: 0 })
  return { url, close: () => app.close() }
}

export interface DrillAgentProcess extends SiteDrillAgent {
  /** Everything the agent logged so far (its JSON log lines). */
  output(): string
}

const MAIN = fileURLToPath(new URL('../../workloads/drill-agent/main.ts', import.meta.url))
const LISTENING = /"msg":"Server listening at (http:\/\/127\.0\.0\.1:\d+)"/

/**
 * workloads/drill-agent/main.ts as a process on a free loopback port, the token in a file of its own; `env` holds
 * its fault commands (DRILL_STOP_<COMPONENT>, DRILL_CUT_NETWORK, ...). close() stops it with SIGTERM, as systemd would.
 */
export async function startDrillAgentProcess(token: string, env: Record<string, string>): Promise<DrillAgentProcess> {
  const dir = await mkdtemp(join(tmpdir(), 'cc-drill-agent-'))
  const tokenFile = join(dir, 'token')
  await writeFile(tokenFile, `${token}\n`, { mode: 0o600 })
  const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', MAIN], {
    env: { PATH: process.env.PATH ?? '', ...env, DRILL_AGENT_TOKEN_FILE: tokenFile, DRILL_AGENT_HOST: '127.0.0.1', DRILL_AGENT_PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const release = killOnExit(() => child.kill('SIGKILL'))
  let output = ''
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
  const exited = once(child, 'exit')
  const close = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM')
      await exited
    }
    release()
    await rm(dir, { recursive: true, force: true })
  }
  let url: string | undefined
  for await (const line of createInterface({ input: child.stdout })) {
    output += `${line}\n`
    url = LISTENING.exec(line)?.[1]
    if (url !== undefined) break
  }
  if (url === undefined) {
    await close()
    throw new Error(`the drill agent exited before it listened: ${output.trim()}`)
  }
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
  return { url, close, output: () => output }
}

export const drillAgentSecretName = (site: SiteName) => `${site}-drill-agent`

/** The Secret a Site's spec.drillAgent.tokenSecretRef names. */
export function drillAgentSecret(site: SiteName, token: string) {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: drillAgentSecretName(site), namespace: NAMESPACE },
    type: 'Opaque',
    stringData: { [DRILL_AGENT_TOKEN_KEY]: token },
  }
}

export function withDrillAgent(site: Site, url: string): Site {
  const name = site.metadata.name as SiteName
  return {
    ...site,
    spec: { ...site.spec, drillAgent: { url, tokenSecretRef: { name: drillAgentSecretName(name), key: DRILL_AGENT_TOKEN_KEY } } },
  }
}
