// The names FreeSWITCH's rendered configuration, the Kamailio edge and the CTI bridge must agree on: the
// SIP profile and dialplan context, the SIP headers the edge and the bridge set, and the channel variables
// the dialplan sets for the bridge.

export const SIP_PROFILE = 'callcenter'
export const DIALPLAN_CONTEXT = 'callcenter'

/** SIP header the edge adds to name the call's skill group (when its Trunk names one). */
export const SKILL_GROUP_HEADER = 'X-CC-Skill-Group'
/** SIP header the edge adds to name the Trunk a carrier call came in on. */
export const TRUNK_HEADER = 'X-CC-Trunk'
/** SIP header with which a soft switch asks its edge to take a call to another site's queue. */
export const TRANSFER_SITE_HEADER = 'X-CC-Transfer-Site'

/** Channel variables the dialplan sets for the CTI bridge. */
export const CHANNEL_VARIABLES = {
  site: 'cc_site',
  skillGroup: 'cc_skill_group',
  calledNumber: 'cc_called_number',
  trunk: 'cc_trunk',
} as const
