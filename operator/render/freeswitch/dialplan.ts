// The dialplan: every inbound call goes to the CTI bridge over an outbound Event Socket, carrying the site,
// the called number and, when the edge named them in headers, the Trunk and the skill group. Without a
// skill group the CTI bridge uses its default one.
import { CHANNEL_VARIABLES, DIALPLAN_CONTEXT, SKILL_GROUP_HEADER, TRUNK_HEADER, type FreeswitchConfigInput } from './input.ts'
import { comment, element, includeFile } from './xml.ts'

// `export` sets the variable on the caller's channel and on every leg bridged from it (the agent's phone),
// so the CTI bridge sees it in the events of both legs.
const exportVariable = (name: string, value: string) => element('action', { application: 'export', data: `${name}=${value}` })

/** Copies an object name the edge sent in a header into a channel variable; anything that is not a name is ignored. */
const fromHeader = (name: string, header: string, variable: string) =>
  element('extension', { name, continue: 'true' }, [
    element('condition', { field: `\${sip_h_${header}}`, expression: '^([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)$' }, [
      exportVariable(variable, '$1'),
    ]),
  ])

export function dialplan(input: FreeswitchConfigInput): string {
  return includeFile(
    element('context', { name: DIALPLAN_CONTEXT }, [
      fromHeader('skill-group-from-header', SKILL_GROUP_HEADER, CHANNEL_VARIABLES.skillGroup),
      fromHeader('trunk-from-header', TRUNK_HEADER, CHANNEL_VARIABLES.trunk),
      element('extension', { name: 'hand-to-cti-bridge' }, [
        element('condition', { field: 'destination_number', expression: '^(\\+?[0-9]{1,32})$' }, [
          exportVariable(CHANNEL_VARIABLES.site, input.site),
          exportVariable(CHANNEL_VARIABLES.calledNumber, '$1'),
          element('action', { application: 'socket', data: `${input.ctiSocket.host}:${input.ctiSocket.port} async full` }),
          comment('Reached when the socket ends with the call still up (CTI bridge unreachable): 503 lets the edge try another site.'),
          element('action', { application: 'hangup', data: 'NORMAL_TEMPORARY_FAILURE' }),
          element('anti-action', { application: 'respond', data: '404' }),
        ]),
      ]),
    ]),
  )
}
