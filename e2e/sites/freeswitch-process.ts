// A real FreeSWITCH as a process on loopback (External mode), loaded with exactly the configuration the
// operator renders for a Managed soft switch (operator/render/freeswitch), only with loopback addresses
// and ports of its own. Built from the pinned sources by scripts/build-freeswitch.sh, cached outside the
// repo. Ready once its SIP profile runs, as the pod's readiness probe asks.
import { execFileSync, spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { openSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { setTimeout as delay } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { renderFreeswitchConfig, SIP_PROFILE, type FreeswitchConfigFiles } from '../../operator/render/freeswitch/index.ts'
import { eslApi } from './esl-client.ts'

const BUILD_SCRIPT = fileURLToPath(new URL('../../scripts/build-freeswitch.sh', import.meta.url))
const HOST = '127.0.0.1'
const START_TIMEOUT_MS = 30_000

let prefix: string | undefined
/** Where FreeSWITCH is installed: the build script builds it once and prints the cached prefix after. */
export function freeswitchPrefix(): string {
  prefix ??= execFileSync('bash', [BUILD_SCRIPT], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })
    .trim()
    .split('\n')
    .at(-1)
  if (prefix === undefined || prefix === '') throw new Error(`${BUILD_SCRIPT} printed no install prefix`)
  return prefix
}

export interface FreeswitchProcessOptions {
  site: string
  sipPort: number
  eslPort: number
  /** The login service's directory URL (mod_xml_curl). */
  directoryUrl: string
  /** The CTI bridge's outbound-socket listener. */
  ctiSocket: { host: string; port: number }
  /** The Event Socket's password (the Site's eslPasswordSecretRef). */
  eslPassword: string
}

export interface FreeswitchProcess {
  site: string
  dir: string
  /** The rendered files, as loaded. */
  config: FreeswitchConfigFiles
  confDir: string
  recordingsDir: string
  logFile: string
  sip: { host: string; port: number }
  esl: { host: string; port: number; password: string }
  pid: number
  /** Runs an api command over the inbound Event Socket; resolves with its text. */
  api(command: string): Promise<string>
  /** SIGKILLs it and waits for its exit. */
  kill(): Promise<void>
  /** Starts it again, killed or not, on the same ports and files. */
  restart(): Promise<void>
  /** Kills it and removes its dir. */
  stop(): Promise<void>
}

/**
 * An even RTP range of its own, so that two soft switches on loopback hardly ever reach for the same port,
 * below the kernel's ephemeral ports (32768 and up), which other sockets take.
 */
function rtpRange(): { startPort: number; endPort: number } {
  const startPort = 20000 + 2 * Math.floor(Math.random() * 6000)
  return { startPort, endPort: startPort + 398 }
}

export async function startFreeswitch(options: FreeswitchProcessOptions): Promise<FreeswitchProcess> {
  const installed = freeswitchPrefix()
  const dir = await mkdtemp(join(tmpdir(), `cc-freeswitch-${options.site}-`))
  const confDir = join(dir, 'conf')
  const logFile = join(dir, 'freeswitch.log')
  const password = options.eslPassword
  const config = renderFreeswitchConfig({
    site: options.site,
    sip: { port: options.sipPort, trustedCidrs: [`${HOST}/32`] },
    rtp: rtpRange(),
    esl: { port: options.eslPort, allowedCidrs: [`${HOST}/32`] },
    directoryUrl: options.directoryUrl,
    ctiSocket: options.ctiSocket,
    logFile: '/dev/stdout',
  })
  for (const [path, content] of Object.entries(config)) {
    await mkdir(dirname(join(confDir, path)), { recursive: true })
    await writeFile(join(confDir, path), content)
  }
  const dirs = Object.fromEntries(
    ['log', 'db', 'run', 'recordings', 'storage', 'cache', 'temp', 'sounds'].map((name) => [name, join(dir, name)]),
  )
  for (const each of Object.values(dirs)) await mkdir(each, { recursive: true })
  const args = [
    '-nf',
    '-nc',
    '-nonat',
    '-conf',
    confDir,
    '-mod',
    join(installed, 'lib', 'freeswitch', 'mod'),
    ...Object.entries(dirs).flatMap(([name, path]) => [`-${name}`, path]),
  ]

  let child = spawnFreeswitch()
  function spawnFreeswitch() {
    const out = openSync(logFile, 'a')
    return spawn(join(installed, 'bin', 'freeswitch'), args, {
      env: { PATH: process.env.PATH, POD_IP: HOST, ESL_PASSWORD: password },
      stdio: ['ignore', out, out],
      detached: true,
    })
  }
  const esl = { host: HOST, port: options.eslPort, password }
  const api = (command: string) => eslApi(esl, command)
  const kill = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return
    const exited = once(child, 'exit')
    child.kill('SIGKILL')
    await exited
  }
  const waitReady = async () => {
    const deadline = Date.now() + START_TIMEOUT_MS
    let last: string
    for (;;) {
      if (child.exitCode !== null)
        throw new Error(`FreeSWITCH of ${options.site} exited with ${child.exitCode} while starting; see ${logFile}`)
      try {
        // As the pod's readiness probe asks: the profile's line in `sofia status` says RUNNING.
        last = await api('sofia status')
        if (new RegExp(`^\\s*${SIP_PROFILE}\\s+profile.*RUNNING`, 'm').test(last)) return
      } catch (error) {
        last = String(error)
      }
      if (Date.now() > deadline) {
        await kill()
        throw new Error(
          `FreeSWITCH of ${options.site}: SIP profile ${SIP_PROFILE} not RUNNING within ${START_TIMEOUT_MS} ms (${last.slice(0, 300)}); see ${logFile}`,
        )
      }
      await delay(200)
    }
  }
  await waitReady()
  const running: FreeswitchProcess = {
    site: options.site,
    dir,
    config,
    confDir,
    recordingsDir: dirs.recordings ?? '',
    logFile,
    sip: { host: HOST, port: options.sipPort },
    esl,
    get pid() {
      return child.pid ?? -1
    },
    api,
    kill,
    async restart() {
      await kill()
      child = spawnFreeswitch()
      await waitReady()
    },
    async stop() {
      await kill()
      await rm(dir, { recursive: true, force: true })
    },
  }
  return running
}
