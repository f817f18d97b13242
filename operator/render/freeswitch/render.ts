// Assembles the configuration directory of a Managed soft switch: file path (relative to the conf dir) -> content.
import { accessLists, eventSocket } from './event-socket.ts'
import { coreSettings, globalVariables, moduleList, rootDocument, stdoutLogging } from './core.ts'
import { dialplan } from './dialplan.ts'
import type { FreeswitchConfigInput } from './input.ts'
import { sofia } from './sofia.ts'
import { xmlCurl } from './xml-curl.ts'

export type FreeswitchConfigFiles = Record<string, string>

export function renderFreeswitchConfig(input: FreeswitchConfigInput): FreeswitchConfigFiles {
  const files: FreeswitchConfigFiles = {
    'freeswitch.xml': rootDocument(),
    'vars.xml': globalVariables(input),
    'autoload_configs/acl.conf.xml': accessLists(input),
    'autoload_configs/event_socket.conf.xml': eventSocket(input),
    'autoload_configs/logfile.conf.xml': stdoutLogging(input),
    'autoload_configs/modules.conf.xml': moduleList(),
    'autoload_configs/sofia.conf.xml': sofia(input),
    'autoload_configs/switch.conf.xml': coreSettings(input),
    'autoload_configs/xml_curl.conf.xml': xmlCurl(input),
    'dialplan/callcenter.xml': dialplan(input),
  }
  return Object.fromEntries(Object.entries(files).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
}
