// The root document, the global variables and the core settings: which modules load, the RTP port range,
// logging to the container's output (FreeSWITCH runs with -nc, which keeps the console logger off stdout,
// so mod_logfile writes there instead).
import { FREESWITCH_ENV, GLOBAL_VARIABLES, type FreeswitchConfigInput } from './input.ts'
import { comment, element, includeFile, xmlDocument } from './xml.ts'

/** freeswitch.xml: vars.xml first (so its variables exist when the rest is preprocessed), then the sections. */
export function rootDocument(): string {
  const include = (data: string) => element('X-PRE-PROCESS', { cmd: 'include', data })
  return xmlDocument(
    element('document', { type: 'freeswitch/xml' }, [
      include('vars.xml'),
      element('section', { name: 'configuration', description: 'Module configuration' }, [include('autoload_configs/*.xml')]),
      element('section', { name: 'dialplan', description: 'XML dialplan' }, [include('dialplan/*.xml')]),
      comment('No directory section: mod_xml_curl fetches users from the login service.'),
    ]),
  )
}

/**
 * vars.xml. The preprocessor instruction `env-set` (FreeSWITCH 1.10, switch_xml.c preprocess_env_set) takes
 * `name=$VARIABLE` and copies the process environment variable VARIABLE into the global variable `name`,
 * which later files read as a `$$` variable while they are preprocessed. So the ESL password reaches
 * event_socket.conf.xml from the container's environment (a secretKeyRef) and never sits in this config.
 */
export function globalVariables(input: FreeswitchConfigInput): string {
  const fromEnvironment = (variable: string, environmentVariable: string) =>
    element('X-PRE-PROCESS', { cmd: 'env-set', data: `${variable}=$${environmentVariable}` })
  return includeFile(
    comment('Set from the container environment at start: the pod IP, and the ESL password from a Secret.'),
    fromEnvironment(GLOBAL_VARIABLES.podIp, FREESWITCH_ENV.podIp),
    fromEnvironment(GLOBAL_VARIABLES.eslPassword, FREESWITCH_ENV.eslPassword),
    comment('The directory domain: phones register in it, and `user/<extension>@<domain>` reaches them.'),
    element('X-PRE-PROCESS', { cmd: 'set', data: `${GLOBAL_VARIABLES.domain}=${input.site}` }),
  )
}

export function coreSettings(input: FreeswitchConfigInput): string {
  const param = (name: string, value: string | number) => element('param', { name, value })
  return includeFile(
    element('configuration', { name: 'switch.conf', description: 'Core configuration' }, [
      element('settings', {}, [
        param('colorize-console', 'false'),
        param('loglevel', 'info'),
        param('rtp-start-port', input.rtp.startPort),
        param('rtp-end-port', input.rtp.endPort),
      ]),
    ]),
  )
}

// Order matters: mod_xml_curl and mod_event_socket load before mod_sofia, so the directory is reachable and
// the CTI bridge can connect as soon as SIP traffic arrives. PCMA/PCMU are built into the core.
const MODULES = [
  'mod_logfile',
  'mod_xml_curl',
  'mod_event_socket',
  'mod_commands',
  'mod_dptools',
  'mod_dialplan_xml',
  'mod_sndfile',
  'mod_tone_stream',
  'mod_sofia',
]

export function moduleList(): string {
  return includeFile(
    element('configuration', { name: 'modules.conf', description: 'Modules loaded at start' }, [
      element(
        'modules',
        {},
        MODULES.map((module) => element('load', { module })),
      ),
    ]),
  )
}

/** The log goes to standard output, so `kubectl logs` shows it; it is never rotated there. */
export function stdoutLogging(input: FreeswitchConfigInput): string {
  const param = (name: string, value: string) => element('param', { name, value })
  return includeFile(
    element('configuration', { name: 'logfile.conf', description: 'Log to standard output' }, [
      element('settings', {}, [param('rotate-on-hup', 'false')]),
      element('profiles', {}, [
        element('profile', { name: 'stdout' }, [
          element('settings', {}, [param('logfile', input.logFile), param('rollover', '0'), param('uuid', 'true')]),
          element('mappings', {}, [element('map', { name: 'all', value: 'info,notice,warning,err,crit,alert' })]),
        ]),
      ]),
    ]),
  )
}
