// SkillGroup: a queue and how its calls find an agent.
import Type from 'typebox'
import { conditions, httpUrl, objectName, observedGeneration, stringEnum, timestamp, type CelRule } from './common.ts'
import { takeoverList } from './takeovers.ts'

export const strategies = [
  'LongestIdle',
  'RoundRobin',
  'FewestCalls',
  'LeastTalkTime',
  'LastServed',
  'MostServed',
  'Designated',
  'RingAll',
  'Webhook',
] as const

const celExpression = (description: string) => Type.String({ description, minLength: 1, maxLength: 2048 })

const agentIdList = (description: string) =>
  Type.Array(Type.String({ description: 'A virtual agent ID (AgentSeat spec.agentId).', minLength: 1, maxLength: 32 }), {
    description,
    maxItems: 256,
    'x-kubernetes-list-type': 'set',
  })

const EscalationStep = Type.Object(
  {
    afterSeconds: Type.Integer({ description: 'Seconds a call has waited when this step applies.', minimum: 1, maximum: 3600 }),
    addSkillGroups: Type.Optional(
      Type.Array(objectName('A SkillGroup whose agents may now take the call.', 'SkillGroup'), {
        description: 'Widen the search to these groups.',
        maxItems: 16,
        'x-kubernetes-list-type': 'set',
      }),
    ),
    minimumProficiency: Type.Optional(
      Type.Integer({ description: 'Accept agents down to this proficiency (1-10).', minimum: 1, maximum: 10 }),
    ),
    priorityBoost: Type.Optional(Type.Integer({ description: "Raise the call's priority by this much.", minimum: 0, maximum: 100 })),
  },
  {
    description: 'One step of timed escalation.',
    additionalProperties: false,
    'x-kubernetes-validations': [
      {
        rule: 'has(self.addSkillGroups) || has(self.minimumProficiency) || has(self.priorityBoost)',
        message: 'an escalation step must do something: addSkillGroups, minimumProficiency or priorityBoost',
      },
    ],
  },
)

export const SkillGroupSpec = Type.Object(
  {
    displayName: Type.Optional(Type.String({ description: 'Human-readable name, e.g. "Hotel bookings".', maxLength: 128 })),
    strategy: stringEnum(strategies, {
      description:
        "How an agent is chosen: LongestIdle, RoundRobin, FewestCalls, LeastTalkTime, LastServed (the agent who last served this caller), MostServed (the caller's most familiar agent), Designated (only designatedAgents), RingAll, or Webhook (an external service decides).",
      default: 'LongestIdle',
    }),
    designatedAgents: Type.Optional(agentIdList('Agents that may take calls when strategy is Designated.')),
    webhook: Type.Optional(
      Type.Object(
        {
          url: httpUrl('URL the ACD posts the call and candidate agents to; it answers with the chosen agent.'),
          timeoutMilliseconds: Type.Optional(
            Type.Integer({
              description: 'Fall back to LongestIdle when the webhook has not answered by then.',
              minimum: 10,
              maximum: 5000,
              default: 200,
            }),
          ),
        },
        { description: 'The external decision service for strategy Webhook.', additionalProperties: false },
      ),
    ),
    rules: Type.Optional(
      Type.Object(
        {
          eligibility: Type.Optional(
            celExpression(
              'CEL expression over `agent` and `call`; only agents for which it is true are offered the call, e.g. `agent.proficiency >= 5`.',
            ),
          ),
          priority: Type.Optional(
            celExpression("CEL expression over `call` giving the call's priority (higher first), e.g. `call.vip ? 10 : 0`."),
          ),
        },
        {
          description: 'CEL rules for eligibility and priority; a rule that does not compile makes the group Ready=False.',
          additionalProperties: false,
        },
      ),
    ),
    serviceLevel: Type.Object(
      {
        targetPercent: Type.Integer({
          description: 'Share of calls to answer within the threshold, in percent.',
          minimum: 1,
          maximum: 100,
        }),
        withinSeconds: Type.Integer({ description: 'Answer threshold, in seconds.', minimum: 1, maximum: 600 }),
      },
      { description: 'Service-level target, e.g. 80 % answered within 20 s.', additionalProperties: false },
    ),
    escalation: Type.Optional(
      Type.Array(EscalationStep, {
        description: 'Timed escalation steps, applied as a call waits.',
        maxItems: 16,
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-list-map-keys': ['afterSeconds'],
        'x-kubernetes-validations': [
          {
            rule: 'self.map(e, e.afterSeconds).isSorted()',
            message: 'escalation steps must be in ascending afterSeconds: each step applies later than the one before it',
          },
        ],
      }),
    ),
    overflow: Type.Optional(
      Type.Object(
        {
          afterSeconds: Type.Integer({ description: 'Seconds of waiting after which a call overflows.', minimum: 1, maximum: 3600 }),
          skillGroup: Type.Optional(objectName('SkillGroup the call overflows to.', 'SkillGroup')),
          site: Type.Optional(objectName('Site the call overflows to (its agents of this group).', 'Site')),
        },
        {
          description: 'Where a call goes when it has waited too long.',
          additionalProperties: false,
          'x-kubernetes-validations': [
            { rule: 'has(self.skillGroup) || has(self.site)', message: 'overflow needs a target: skillGroup, site or both' },
          ],
        },
      ),
    ),
    maxQueueLength: Type.Optional(
      Type.Integer({
        description: 'Calls beyond this many waiting overflow at once (0: no limit).',
        minimum: 0,
        maximum: 100000,
        default: 0,
      }),
    ),
    noAnswerSeconds: Type.Optional(
      Type.Integer({
        description: "How long a reserved agent's phone rings before the call is offered to another agent.",
        minimum: 5,
        maximum: 120,
        default: 15,
      }),
    ),
    wrapUpSeconds: Type.Optional(
      Type.Integer({
        description: 'After-call work time before an agent is offered the next call.',
        minimum: 0,
        maximum: 600,
        default: 10,
      }),
    ),
    pinnedSite: Type.Optional(
      objectName(
        "Planned switchover by skill group: only this site's agents take this group's calls. " +
          'While that site does not serve (failed over, Drain, Fenced, being deleted, or in a drill that takes it out of service) the pin is held: ' +
          'the group is served at every site, and condition Held (reason PinnedSiteNotServing) and a Warning Event say why; the pin takes effect by itself once the site serves again. ' +
          'The annotation callcenter.dev/allow-blackout: "<reason>" on the SkillGroup pins it at once.',
        'Site',
      ),
    ),
  },
  {
    description: 'Desired state of a SkillGroup.',
    additionalProperties: false,
    'x-kubernetes-validations': [
      {
        rule: "self.strategy != 'Designated' || (has(self.designatedAgents) && self.designatedAgents.size() > 0)",
        message: 'strategy Designated needs at least one entry in designatedAgents',
        fieldPath: '.designatedAgents',
      },
      {
        rule: "self.strategy != 'Webhook' || has(self.webhook)",
        message: 'strategy Webhook needs webhook.url',
        fieldPath: '.webhook',
      },
      {
        rule: '!has(self.overflow) || !has(self.overflow.afterSeconds) || !has(self.escalation) || self.escalation.all(e, e.afterSeconds < self.overflow.afterSeconds)',
        message: 'every escalation step must come before overflow.afterSeconds',
        fieldPath: '.escalation',
      },
    ],
  },
)

/** Rules that need the group's own name: the apiserver lets only rules at the object's root read metadata.name. */
export const SkillGroupObjectRules: CelRule[] = [
  {
    rule: '!has(self.spec.overflow) || !has(self.spec.overflow.skillGroup) || has(self.spec.overflow.site) || self.spec.overflow.skillGroup != self.metadata.name',
    message:
      "a SkillGroup cannot overflow to itself: overflow.skillGroup names this group (to send its calls to this group's agents at another site, set only overflow.site)",
    fieldPath: '.spec.overflow.skillGroup',
  },
]

export const SkillGroupStatus = Type.Object(
  {
    observedGeneration: Type.Optional(observedGeneration),
    conditions: Type.Optional(conditions()),
    agents: Type.Optional(
      Type.Object(
        {
          members: Type.Integer({ description: 'AgentSeats with this skill.', minimum: 0 }),
          signedIn: Type.Integer({ description: 'Members signed in now.', minimum: 0 }),
          available: Type.Integer({ description: 'Members available now.', minimum: 0 }),
        },
        { description: 'Agent counts.', additionalProperties: false },
      ),
    ),
    queue: Type.Optional(
      Type.Object(
        {
          waiting: Type.Integer({ description: 'Calls waiting now.', minimum: 0 }),
          longestWaitSeconds: Type.Integer({ description: 'Wait of the oldest waiting call.', minimum: 0 }),
        },
        { description: 'Queue figures.', additionalProperties: false },
      ),
    ),
    serviceLevelPercent: Type.Optional(
      Type.Integer({ description: 'Share of calls answered within the threshold over the last window.', minimum: 0, maximum: 100 }),
    ),
    pinning: Type.Optional(
      Type.Object(
        {
          site: Type.Optional(
            Type.String({
              description:
                "The pin in effect (the ACDs send the group's calls there): spec.pinnedSite once acted on; absent: unpinned, or the pin is held.",
              maxLength: 63,
            }),
          ),
          since: timestamp('When the operator started acting on it.'),
          takeovers: Type.Optional(
            takeoverList("Takeovers (mode drain, limited to this group) that move the group's agents to the pinned site."),
          ),
          agentsInstructed: Type.Optional(Type.Integer({ description: 'Agents the takeovers told to move.', minimum: 0 })),
          agentsMoved: Type.Optional(
            Type.Integer({ description: 'Agents signed in at the pinned site by the takeovers so far.', minimum: 0 }),
          ),
          message: Type.Optional(
            Type.String({ description: 'Why the move is not complete yet, e.g. a login service that did not answer.', maxLength: 1024 }),
          ),
        },
        { description: 'Planned switchover by skill group (spec.pinnedSite) as the operator carried it out.', additionalProperties: false },
      ),
    ),
  },
  { description: 'Observed state of a SkillGroup; coarse and eventually consistent.', additionalProperties: false },
)
