// mod_sofia: one SIP profile on the pod IP (the node's IP with host networking). Carriers and phones
// reach it through the site's edges; calls from the edges' addresses skip digest authentication, anything
// else must authenticate against the directory. Every REGISTER is challenged and checked against the
// directory (the phone's PhoneMAC credentials, served by the login service), whoever relays it, and is
// kept in the site's own domain, so `user/<extension>@<site>` finds the phone.
import { ACL, DIALPLAN_CONTEXT, GLOBAL_VARIABLES, SIP_PROFILE, globalVariable, type FreeswitchConfigInput } from './input.ts'
import { element, includeFile } from './xml.ts'

export function sofia(input: FreeswitchConfigInput): string {
  const param = (name: string, value: string | number) => element('param', { name, value })
  const podIp = globalVariable(GLOBAL_VARIABLES.podIp)
  const domain = globalVariable(GLOBAL_VARIABLES.domain)
  return includeFile(
    element('configuration', { name: 'sofia.conf', description: 'SIP' }, [
      element('global_settings', {}, [param('log-level', 0)]),
      element('profiles', {}, [
        element('profile', { name: SIP_PROFILE }, [
          element('settings', {}, [
            param('user-agent-string', `callcenter-${input.site}`),
            param('context', DIALPLAN_CONTEXT),
            param('dialplan', 'XML'),
            param('sip-ip', podIp),
            param('sip-port', input.sip.port),
            param('rtp-ip', podIp),
            param('rtp-timer-name', 'soft'),
            param('dtmf-type', 'rfc2833'),
            param('inbound-codec-prefs', 'PCMA,PCMU'),
            param('outbound-codec-prefs', 'PCMA,PCMU'),
            param('apply-inbound-acl', ACL.sipEdges),
            param('auth-calls', 'true'),
            param('accept-blind-reg', 'false'),
            param('challenge-realm', domain),
            param('force-register-domain', domain),
            param('force-register-db-domain', domain),
            param('manage-presence', 'false'),
          ]),
        ]),
      ]),
    ]),
  )
}
