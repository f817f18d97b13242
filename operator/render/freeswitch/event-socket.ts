// The Event Socket (mod_event_socket) and the access lists that guard it and the SIP profile. With host
// networking a NetworkPolicy does not reliably apply to the pod, so these lists are the real guard.
import { ACL, GLOBAL_VARIABLES, globalVariable, type FreeswitchConfigInput } from './input.ts'
import { comment, element, includeFile } from './xml.ts'

export function eventSocket(input: FreeswitchConfigInput): string {
  const param = (name: string, value: string | number) => element('param', { name, value })
  return includeFile(
    element('configuration', { name: 'event_socket.conf', description: 'Event Socket for the CTI bridge' }, [
      element('settings', {}, [
        comment('Listens on the pod IP only; the password comes from the environment (see vars.xml).'),
        param('nat-map', 'false'),
        param('listen-ip', globalVariable(GLOBAL_VARIABLES.podIp)),
        param('listen-port', input.esl.port),
        param('password', globalVariable(GLOBAL_VARIABLES.eslPassword)),
        param('apply-inbound-acl', ACL.eslClients),
      ]),
    ]),
  )
}

const allow = (cidr: string) => element('node', { type: 'allow', cidr })

export function accessLists(input: FreeswitchConfigInput): string {
  return includeFile(
    element('configuration', { name: 'acl.conf', description: 'Network lists' }, [
      element('network-lists', {}, [
        element('list', { name: ACL.eslClients, default: 'deny' }, [
          comment("The CTI bridge's addresses, and the pod itself (its probes and drain hook use fs_cli)."),
          ...[...input.esl.allowedCidrs].sort().map(allow),
          allow(`${globalVariable(GLOBAL_VARIABLES.podIp)}/32`),
        ]),
        element('list', { name: ACL.sipEdges, default: 'deny' }, [
          comment('SIP edges: calls from these addresses need no digest authentication.'),
          ...[...input.sip.trustedCidrs].sort().map(allow),
        ]),
      ]),
    ]),
  )
}
