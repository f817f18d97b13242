// Pure: the pin of a SkillGroup in effect. A group pinned to a site that does not serve (failed over,
// Drain, Fenced, being deleted, in a drill that takes it out, or no such Site) would have nowhere to
// run: the pin is held, and the group is served at every site until that site serves again, when the
// pin takes effect by itself. The allow-blackout annotation on the group pins it anyway.
import type { Site, SkillGroup } from '../../../crds/types.ts'
import { admittedOf, blackoutAllowed } from './effective.ts'
import { describeOutOfService, outOfService } from './serving.ts'

export interface PinDecision {
  /** spec.pinnedSite. */
  asked?: string
  /** The pin in effect (status.pinning.site): the asked one, or none while it is held. */
  inEffect?: string
  /** Why the asked pin is held, e.g. "site nantong is Fenced". */
  held?: string
  /** The pin took effect only because of the allow-blackout annotation. */
  overridden?: { reason: string; why: string }
}

/** Why the pinned site does not serve, or undefined while it does. */
function notServing(asked: string, pinned: Site | undefined, namespace: string, drillsRunHere: boolean): string | undefined {
  if (pinned === undefined) return `there is no Site ${asked} in namespace ${namespace}`
  const out = outOfService(pinned, admittedOf(pinned), drillsRunHere)
  return out === undefined ? undefined : `site ${asked} is ${describeOutOfService(out)}`
}

/**
 * @param pinned the Site spec.pinnedSite names, if there is one in the group's namespace.
 * @param drillsRunHere whether this operator runs that site's drills (serving.ts).
 */
export function decidePin(group: SkillGroup, pinned: Site | undefined, drillsRunHere = true): PinDecision {
  const asked = group.spec.pinnedSite
  if (asked === undefined) return {}
  const why = notServing(asked, pinned, group.metadata.namespace ?? '', drillsRunHere)
  if (why === undefined) return { asked, inEffect: asked }
  const reason = blackoutAllowed(group)
  return reason === undefined ? { asked, held: why } : { asked, inEffect: asked, overridden: { reason, why } }
}
