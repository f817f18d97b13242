// The login service's Prometheus metrics, in a registry of its own (several services may share a process in tests).
import { Counter, Gauge, Histogram, Registry } from 'prom-client'

export interface LoginMetrics {
  registry: Registry
  signIns: Counter<'kind'>
  failures: Counter<'reason'>
  duration: Histogram
  recovered: Counter
  expired: Counter
  takeoverDeclines: Counter
}

export interface LiveFigures {
  activeSessions(): Promise<number>
  leaseUsage(): Promise<{ pool: string; size: number; leased: number }[]>
  connections(): { primary: number; standby: number }
}

export function createLoginMetrics(site: string, live: LiveFigures): LoginMetrics {
  const registry = new Registry()
  registry.setDefaultLabels({ site })
  const metrics: LoginMetrics = {
    registry,
    signIns: new Counter({
      name: 'login_signins_total',
      help: 'Successful sign-ins, by kind (password or token re-login).',
      labelNames: ['kind'],
      registers: [registry],
    }),
    failures: new Counter({
      name: 'login_signin_failures_total',
      help: 'Refused sign-ins, by reason.',
      labelNames: ['reason'],
      registers: [registry],
    }),
    duration: new Histogram({
      name: 'login_signin_duration_seconds',
      help: 'Time to answer a sign-in.',
      buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers: [registry],
    }),
    recovered: new Counter({
      name: 'login_sessions_recovered_total',
      help: 'Sessions re-created from a heartbeat after Redis lost them.',
      registers: [registry],
    }),
    expired: new Counter({
      name: 'login_sessions_expired_total',
      help: 'Sessions ended because their heartbeats stopped.',
      registers: [registry],
    }),
    takeoverDeclines: new Counter({
      name: 'login_takeover_declines_total',
      help: 'Failover takeovers an agent declined because its own site still answered (the split-brain guard).',
      registers: [registry],
    }),
  }
  new Gauge({
    name: 'login_active_sessions',
    help: 'Sessions open at this site.',
    registers: [registry],
    async collect() {
      this.set(await live.activeSessions())
    },
  })
  new Gauge({
    name: 'login_lease_pool_used',
    help: 'Operator IDs leased now, by pool.',
    labelNames: ['pool'],
    registers: [registry],
    async collect() {
      for (const usage of await live.leaseUsage()) this.set({ pool: usage.pool }, usage.leased)
    },
  })
  new Gauge({
    name: 'login_lease_pool_size',
    help: 'Operator IDs in the pool.',
    labelNames: ['pool'],
    registers: [registry],
    async collect() {
      for (const usage of await live.leaseUsage()) this.set({ pool: usage.pool }, usage.size)
    },
  })
  new Gauge({
    name: 'login_agent_connections',
    help: 'Agent WebSocket connections to this replica, by mode.',
    labelNames: ['mode'],
    registers: [registry],
    collect() {
      const counts = live.connections()
      this.set({ mode: 'primary' }, counts.primary)
      this.set({ mode: 'standby' }, counts.standby)
    },
  })
  return metrics
}
