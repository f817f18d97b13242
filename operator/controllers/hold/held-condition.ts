// Pure: the Held condition of a Site or SkillGroup and the Event its change makes: a held action says
// what is held and why (naming the other sites and their states), how it goes ahead, and how to
// override it; afterwards the condition says how it ended (Released, Withdrawn, Overridden).
import type { Condition, ConditionInput } from '../../runtime/conditions.ts'
import type { EventInput } from '../../runtime/events.ts'
import type { Decision, SiteState } from './admit.ts'
import { ALLOW_BLACKOUT_ANNOTATION } from './effective.ts'
import type { PinDecision } from './pin.ts'

export const HELD_CONDITION = 'Held'

const and = (parts: readonly string[]) => parts.join(' and ')
const statesOf = (others: readonly SiteState[]) =>
  others.length === 0 ? 'no other site' : others.map((o) => `${o.name}: ${o.state}`).join(', ')

/** The condition while the change stays as it was; undefined when the object never had one and needs none. */
function kept(previous: Condition | undefined): ConditionInput | undefined {
  return previous && { type: HELD_CONDITION, status: previous.status, reason: previous.reason, message: previous.message }
}

export function siteHeldCondition(site: string, decision: Decision, previous: Condition | undefined): ConditionInput | undefined {
  const { held, went, overridden, others } = decision
  if (held.length > 0) {
    return {
      type: HELD_CONDITION,
      status: 'True',
      reason: 'LastServingSite',
      message:
        `${and(held)} held: site ${site} is the last site serving (${statesOf(others)}). ` +
        `It goes ahead by itself once another site serves again; set the spec back to withdraw it, ` +
        `or let it go ahead now: kubectl annotate site ${site} ${ALLOW_BLACKOUT_ANNOTATION}="<reason>"`,
    }
  }
  if (overridden) {
    return {
      type: HELD_CONDITION,
      status: 'False',
      reason: 'Overridden',
      message: `${and(overridden.what)} went ahead although no other site serves (${statesOf(others)}): ${ALLOW_BLACKOUT_ANNOTATION}="${overridden.reason}"`,
    }
  }
  if (previous?.status !== 'True') return kept(previous)
  if (went.length === 0) {
    return { type: HELD_CONDITION, status: 'False', reason: 'Withdrawn', message: 'the spec no longer asks for what was held' }
  }
  const serving = others.filter((o) => o.serving).map((o) => o.name)
  return {
    type: HELD_CONDITION,
    status: 'False',
    reason: 'Released',
    message: `${and(went)} went ahead: ${serving.length > 0 ? `${serving.join(', ')} serves again` : 'nothing held it any more'}`,
  }
}

export function pinHeldCondition(group: string, pin: PinDecision, previous: Condition | undefined): ConditionInput | undefined {
  if (pin.held !== undefined) {
    return {
      type: HELD_CONDITION,
      status: 'True',
      reason: 'PinnedSiteNotServing',
      message:
        `the pin to site ${pin.asked ?? ''} is held: ${pin.held}, so the group would have nowhere to run; ` +
        `the group is served at every site until that site serves again, then the pin takes effect by itself. ` +
        `To pin it now: kubectl annotate skillgroup ${group} ${ALLOW_BLACKOUT_ANNOTATION}="<reason>"`,
    }
  }
  if (pin.overridden !== undefined) {
    return {
      type: HELD_CONDITION,
      status: 'False',
      reason: 'Overridden',
      message: `pinned to site ${pin.asked ?? ''} although ${pin.overridden.why}: ${ALLOW_BLACKOUT_ANNOTATION}="${pin.overridden.reason}"`,
    }
  }
  if (previous?.status !== 'True') return kept(previous)
  return pin.inEffect === undefined
    ? { type: HELD_CONDITION, status: 'False', reason: 'Withdrawn', message: 'the group is no longer pinned' }
    : { type: HELD_CONDITION, status: 'False', reason: 'Released', message: `the pin to site ${pin.inEffect} took effect: it serves again` }
}

/** The Event a change of the Held condition makes, if any: held (or held for other reasons now), released, overridden. */
export function heldEvent(previous: Condition | undefined, next: ConditionInput | undefined): EventInput | undefined {
  if (next === undefined) return undefined
  const changed = previous?.status !== next.status || previous.reason !== next.reason || previous.message !== next.message
  if (!changed) return undefined
  if (next.status === 'True') return { type: 'Warning', reason: 'Held', action: 'Hold', note: next.message }
  if (next.reason === 'Overridden') return { type: 'Warning', reason: 'BlackoutAllowed', action: 'Hold', note: next.message }
  return { type: 'Normal', reason: next.reason, action: 'Hold', note: next.message }
}
