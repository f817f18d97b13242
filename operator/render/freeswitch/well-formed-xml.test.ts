import assert from 'node:assert/strict'
import { test } from 'node:test'
import { wellFormednessProblem } from './well-formed-xml.ts'

test('the well-formedness check accepts well-formed XML', () => {
  const documents = [
    '<?xml version="1.0"?>\n<a x="1" y=\'2\'><b/><!-- note --><c>t &amp; &#60; &#x3C;</c></a>\n',
    '<include>\n  <X-PRE-PROCESS cmd="set" data="a=$${b}"/>\n</include>\n',
    '<a><![CDATA[<not markup> & fine]]></a>',
  ]
  for (const xml of documents) assert.equal(wellFormednessProblem(xml), undefined, xml)
})

test('the well-formedness check rejects each kind of malformed XML', () => {
  const broken: Record<string, string> = {
    'unclosed element': '<a><b></b>',
    'misnested tags': '<a><b></a></b>',
    'stray end tag': '<a></a></b>',
    'two roots': '<a/><b/>',
    'no root': '<!-- only a comment -->',
    'text outside root': 'hello <a/>',
    'unquoted attribute': '<a x=1/>',
    'duplicate attribute': '<a x="1" x="2"/>',
    'attribute without value': '<a x/>',
    'attributes not separated': '<a x="1"y="2"/>',
    'raw < in attribute': '<a x="<"/>',
    'raw & in text': '<a>fish & chips</a>',
    'unknown entity': '<a>&nbsp;</a>',
    'double dash in comment': '<a><!-- a -- b --></a>',
    'unclosed comment': '<a><!-- a </a>',
    'unterminated attribute': '<a x="1/>',
  }
  for (const [problem, xml] of Object.entries(broken)) {
    assert.notEqual(wellFormednessProblem(xml), undefined, `${problem} should be rejected: ${xml}`)
  }
})
