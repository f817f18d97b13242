// A list of login-service takeovers the operator started for a planned switchover (Site traffic Drain
// or Fenced, SkillGroup pinnedSite), kept in status so a restarted operator follows them rather than
// starting new ones.
import Type from 'typebox'

export const takeoverList = (description: string) =>
  Type.Array(
    Type.Object(
      {
        site: Type.String({ description: 'The site whose agents the takeover moves.', maxLength: 63 }),
        at: Type.String({ description: 'The site whose login service runs the takeover (where the agents move to).', maxLength: 63 }),
        id: Type.String({ description: 'The takeover id that login service answered.', maxLength: 128 }),
      },
      { description: 'One takeover.', additionalProperties: false },
    ),
    { description, maxItems: 16, 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['site', 'at'] },
  )
