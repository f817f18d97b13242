// Calls in progress per destination site, as Kamailio's dialog module counts them: the rendered
// kamailio.cfg (operator/render/kamailio) puts every carrier call it sends to a site's soft switches in
// the dialog profile CALLS_TO_SITE_PROFILE with the site as its value. The name is repeated here, not
// imported, because the edge agent's image holds no operator code; call-counts.test.ts checks they agree.
import type { KamailioRpc } from './rpc.ts'

export const CALLS_TO_SITE_PROFILE = 'calls_to_site'

/** The calls in progress the edge sent to `site`; Kamailio answers 0 for a site it never sent a call to. */
export async function callsToSite(rpc: KamailioRpc, site: string): Promise<number> {
  const size = await rpc.call('dlg.profile_get_size', [CALLS_TO_SITE_PROFILE, site])
  if (typeof size !== 'number' || !Number.isInteger(size) || size < 0)
    throw new Error(`${rpc.url}: dlg.profile_get_size ${CALLS_TO_SITE_PROFILE} ${site} answered ${JSON.stringify(size)}, not a count`)
  return size
}
