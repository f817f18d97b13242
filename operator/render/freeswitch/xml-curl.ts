// mod_xml_curl: the directory (phones and their credentials) comes from the login service, never from a
// ConfigMap (15,000 agents do not fit in one). The module refuses to load without a binding that has a
// gateway-url.
import type { FreeswitchConfigInput } from './input.ts'
import { element, includeFile } from './xml.ts'

export function xmlCurl(input: FreeswitchConfigInput): string {
  const param = (name: string, value: string) => element('param', { name, value })
  return includeFile(
    element('configuration', { name: 'xml_curl.conf', description: 'Directory from the login service' }, [
      element('bindings', {}, [
        element('binding', { name: 'directory' }, [
          element('param', { name: 'gateway-url', value: input.directoryUrl, bindings: 'directory' }),
          param('method', 'POST'),
          param('timeout', '5'),
        ]),
      ]),
    ]),
  )
}
