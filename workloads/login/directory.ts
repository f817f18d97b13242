// Pure: the FreeSWITCH directory documents served to mod_xml_curl. SIP passwords go into the document
// (FreeSWITCH needs them); the document is never logged.

export interface DirectoryUser {
  domain: string
  extension: string
  password: string
  mac: string
  line: string
}

const escapeXml = (text: string) =>
  text.replace(/[&<>"']/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[char] ?? char)

export const notFoundDocument = `<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<document type="freeswitch/xml">
  <section name="result">
    <result status="not found"/>
  </section>
</document>
`

export function directoryDocument(user: DirectoryUser): string {
  const domain = escapeXml(user.domain)
  const id = escapeXml(user.extension)
  return `<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<document type="freeswitch/xml">
  <section name="directory">
    <domain name="${domain}">
      <params>
        <param name="dial-string" value="{^^:sip_invite_domain=\${dialed_domain}:presence_id=\${dialed_user}@\${dialed_domain}}\${sofia_contact(*/\${dialed_user}@\${dialed_domain})}"/>
      </params>
      <groups>
        <group name="default">
          <users>
            <user id="${id}">
              <params>
                <param name="password" value="${escapeXml(user.password)}"/>
              </params>
              <variables>
                <variable name="user_context" value="default"/>
                <variable name="effective_caller_id_number" value="${id}"/>
                <variable name="callcenter_phone_mac" value="${escapeXml(user.mac)}"/>
                <variable name="callcenter_phone_line" value="${escapeXml(user.line)}"/>
              </variables>
            </user>
          </users>
        </group>
      </groups>
    </domain>
  </section>
</document>
`
}
