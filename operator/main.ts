// The operator's entry point: flags and environment to a running manager; SIGTERM stops it cleanly
// (releasing the leader lease), and losing the lease exits so that Kubernetes restarts the replica.
import { hostname } from 'node:os'
import { parseArgs } from 'node:util'
import { KubeConfig } from '@kubernetes/client-node'
import { skillGroupRuleProblems } from './checks/skillgroup-rules.ts'
import { startManager } from './manager.ts'
import { createLogger } from './runtime/log.ts'
import { settingsFromEnv } from './settings.ts'

const log = createLogger('callcenter-operator')

function port(flag: string, value: string | undefined, fallback: number): number {
  const parsed = Number(value ?? fallback)
  if (!Number.isInteger(parsed) || parsed < 0 || parsed > 65535)
    throw new Error(`--${flag} must be a port number (0-65535), got ${JSON.stringify(value)}`)
  return parsed
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'leader-elect': { type: 'boolean', default: false },
      'lease-namespace': { type: 'string' },
      'lease-name': { type: 'string', default: 'callcenter-operator' },
      'watch-namespace': { type: 'string' },
      site: { type: 'string' },
      'health-port': { type: 'string' },
      'metrics-port': { type: 'string' },
      'bind-address': { type: 'string', default: '0.0.0.0' },
      kubeconfig: { type: 'string' },
      'report-dir': { type: 'string' },
    },
  })
  const kubeConfig = new KubeConfig()
  if (values.kubeconfig) kubeConfig.loadFromFile(values.kubeconfig)
  else kubeConfig.loadFromDefault()
  const identity = process.env['POD_NAME'] ?? `${hostname()}-${process.pid}`
  const leaseNamespace = values['lease-namespace'] ?? process.env['POD_NAMESPACE'] ?? values['watch-namespace']
  if (values['leader-elect'] && !leaseNamespace) throw new Error('--leader-elect needs --lease-namespace (or POD_NAMESPACE)')
  const manager = await startManager({
    kubeConfig,
    log,
    identity,
    watchNamespace: values['watch-namespace'] || undefined,
    site: values.site || undefined,
    leaderElection: values['leader-elect'] && leaseNamespace ? { namespace: leaseNamespace, name: values['lease-name'] } : undefined,
    healthPort: port('health-port', values['health-port'], 8081),
    metricsPort: port('metrics-port', values['metrics-port'], 8080),
    host: values['bind-address'],
    checkSkillGroupRules: skillGroupRuleProblems,
    settings: settingsFromEnv(),
    reportDir: values['report-dir'] || undefined,
  })
  log.info({ identity, watchNamespace: values['watch-namespace'] ?? 'all', site: values.site ?? 'all' }, 'operator started')
  const shutdown = async (signal: string) => {
    log.info({ signal }, 'stopping')
    await manager.stop()
    process.exit(0)
  }
  process.once('SIGTERM', () => void shutdown('SIGTERM'))
  process.once('SIGINT', () => void shutdown('SIGINT'))
  await manager.lost
  log.error('leadership lost: exiting so that a fresh replica can campaign')
  process.exit(1)
}

main().catch((error: unknown) => {
  log.error({ err: (error as Error).message }, 'operator failed to start')
  process.exit(2)
})
