// Pure translation between FreeSWITCH channel data and the bridge's own terms: what a call is (from the
// CHANNEL_DATA headers of an outbound-socket connection) and the dial strings that ring agents or
// transfer a call to another site.
import { CHANNEL_VARIABLES, SIP_PROFILE, SKILL_GROUP_HEADER, TRANSFER_SITE_HEADER } from '../lib/softswitch-names.ts'

/** Channel variables the dialplan sets before `socket <bridge>:8084 async full`. */
const SKILL_GROUP_VARIABLE = CHANNEL_VARIABLES.skillGroup
const TRUNK_VARIABLE = CHANNEL_VARIABLES.trunk
/** `cc_attr_<name>=<value>` becomes `call.<name>` in the skill group's CEL rules. */
export const ATTRIBUTE_PREFIX = 'cc_attr_'
/** Set on each agent leg of a bridge, read back from the leg that answered. */
export const AGENT_LEG_VARIABLE = 'cc_agent_id'

export interface IncomingCall {
  callId: string
  caller: string
  called: string
  trunk: string
  skillGroup?: string
  attributes: Record<string, string | number | boolean>
}

/** "true"/"false" become booleans, plain integers numbers (not those with a leading zero: phone numbers), the rest strings. */
export function attributeValue(raw: string): string | number | boolean {
  if (raw === 'true') return true
  if (raw === 'false') return false
  if (/^-?(0|[1-9]\d{0,14})$/.test(raw)) return Number(raw)
  return raw
}

export function incomingCall(header: (name: string) => string | null | undefined, headerNames: readonly string[]): IncomingCall {
  const callId = header('Unique-ID') ?? header('Channel-Call-UUID')
  if (callId === null || callId === undefined || callId === '')
    throw new Error('the channel data has no Unique-ID: is this an outbound socket connection?')
  const attributes: IncomingCall['attributes'] = {}
  for (const name of headerNames) {
    if (!name.startsWith(`variable_${ATTRIBUTE_PREFIX}`)) continue
    attributes[name.slice(`variable_${ATTRIBUTE_PREFIX}`.length)] = attributeValue(header(name) ?? '')
  }
  const skillGroup = header(`variable_${SKILL_GROUP_VARIABLE}`) ?? undefined
  return {
    callId,
    caller: header('Caller-Caller-ID-Number') ?? '',
    called: header('Caller-Destination-Number') ?? '',
    trunk: header(`variable_${TRUNK_VARIABLE}`) ?? header('variable_sip_gateway_name') ?? header('Caller-Network-Addr') ?? '',
    skillGroup: skillGroup === '' ? undefined : skillGroup,
    attributes,
  }
}

/** Fills {name} placeholders (not FreeSWITCH's own ${name}); an unknown placeholder is an error in the configuration. */
export function fill(template: string, values: Record<string, string>): string {
  return template.replace(/(?<!\$)\{(\w+)\}/g, (_match, name: string) => {
    const value = values[name]
    if (value === undefined)
      throw new Error(
        `dial string template ${JSON.stringify(template)} uses {${name}}, which is not one of ${Object.keys(values).join(', ')}`,
      )
    return value
  })
}

/** Characters that would break out of a `[var=value]` or `{var=value}` block. */
function safe(value: string): string {
  return value.replace(/[,\]}\s'"^]/g, '')
}

/**
 * Rings the offered agents at once (comma-separated legs ring in parallel), each leg marked with its
 * agent ID, for at most ringSeconds.
 */
export function agentDialString(
  agents: readonly { agentId: string; extension: string }[],
  ringSeconds: number,
  legTemplate: string,
  site: string,
): string {
  const legs = agents.map(
    (agent) => `[${AGENT_LEG_VARIABLE}=${safe(agent.agentId)}]${fill(legTemplate, { extension: safe(agent.extension), site: safe(site) })}`,
  )
  return `{originate_timeout=${ringSeconds},ignore_early_media=true}${legs.join(',')}`
}

/**
 * Hands the call to another site's queue through this site's edge: the headers name the site (the edge
 * routes to its soft switches) and the skill group (that site's dialplan queues the call in it).
 */
export function siteTransferDialString(transfer: { site: string; skillGroup: string; called: string; edge: string }): string {
  const headers = [`sip_h_${TRANSFER_SITE_HEADER}=${safe(transfer.site)}`, `sip_h_${SKILL_GROUP_HEADER}=${safe(transfer.skillGroup)}`]
  return `{${headers.join(',')}}sofia/${SIP_PROFILE}/${safe(transfer.called)}@${safe(transfer.edge)}`
}
