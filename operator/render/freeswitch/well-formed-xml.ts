// A minimal XML well-formedness check for the tests (the project has no XML parser): one root element,
// balanced and properly nested tags, quoted and unique attributes, escaped `<` and `&`, closed comments and
// processing instructions. Returns the first problem found, or undefined for a well-formed document.
const NAME = /[A-Za-z_:][-A-Za-z0-9_.:]*/y
const ENTITY = /&(amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);/y
const SPACE = /\s*/y

class Scanner {
  position = 0
  readonly text: string
  constructor(text: string) {
    this.text = text
  }
  match(pattern: RegExp): string | undefined {
    pattern.lastIndex = this.position
    const found = pattern.exec(this.text)
    if (!found) return undefined
    this.position += found[0].length
    return found[0]
  }
  startsWith(prefix: string): boolean {
    return this.text.startsWith(prefix, this.position)
  }
  skipSpace(): void {
    this.match(SPACE)
  }
  atEnd(): boolean {
    return this.position >= this.text.length
  }
}

class NotWellFormed extends Error {}

function fail(scanner: Scanner, problem: string): never {
  const line = scanner.text.slice(0, scanner.position).split('\n').length
  throw new NotWellFormed(`line ${line}: ${problem}`)
}

function checkCharacterData(scanner: Scanner, data: string, where: string): void {
  if (data.includes('<')) fail(scanner, `unescaped '<' in ${where}`)
  for (let index = data.indexOf('&'); index !== -1; index = data.indexOf('&', index + 1)) {
    ENTITY.lastIndex = index
    if (!ENTITY.test(data)) fail(scanner, `unescaped '&' in ${where}`)
  }
}

function skipDelimited(scanner: Scanner, open: string, close: string): void {
  const end = scanner.text.indexOf(close, scanner.position + open.length)
  if (end === -1) fail(scanner, `unclosed ${open}`)
  const body = scanner.text.slice(scanner.position + open.length, end)
  if (open === '<!--' && (body.includes('--') || body.endsWith('-'))) fail(scanner, "'--' inside a comment")
  scanner.position = end + close.length
}

function readStartTag(scanner: Scanner): { name: string; selfClosing: boolean } {
  scanner.position += 1
  const name = scanner.match(NAME) ?? fail(scanner, 'missing element name')
  const seen = new Set<string>()
  for (;;) {
    const hadSpace = scanner.match(/\s+/y) !== undefined
    if (scanner.startsWith('/>')) {
      scanner.position += 2
      return { name, selfClosing: true }
    }
    if (scanner.startsWith('>')) {
      scanner.position += 1
      return { name, selfClosing: false }
    }
    if (!hadSpace) fail(scanner, `expected whitespace, '>' or '/>' in <${name}>`)
    const attribute = scanner.match(NAME) ?? fail(scanner, `bad attribute in <${name}>`)
    if (seen.has(attribute)) fail(scanner, `duplicate attribute ${attribute} in <${name}>`)
    seen.add(attribute)
    scanner.skipSpace()
    if (!scanner.startsWith('=')) fail(scanner, `attribute ${attribute} has no value`)
    scanner.position += 1
    scanner.skipSpace()
    const quote = scanner.text[scanner.position]
    if (quote !== '"' && quote !== "'") fail(scanner, `attribute ${attribute} is not quoted`)
    const end = scanner.text.indexOf(quote, scanner.position + 1)
    if (end === -1) fail(scanner, `unterminated value of ${attribute}`)
    checkCharacterData(scanner, scanner.text.slice(scanner.position + 1, end), `attribute ${attribute}`)
    scanner.position = end + 1
  }
}

function checkDocument(scanner: Scanner): void {
  if (scanner.startsWith('<?xml')) skipDelimited(scanner, '<?', '?>')
  const open: string[] = []
  let rootSeen = false
  while (!scanner.atEnd()) {
    const textEnd = scanner.text.indexOf('<', scanner.position)
    const text = scanner.text.slice(scanner.position, textEnd === -1 ? undefined : textEnd)
    if (open.length === 0 && text.trim() !== '') fail(scanner, 'text outside the root element')
    checkCharacterData(scanner, text, 'text')
    if (textEnd === -1) break
    scanner.position = textEnd
    if (scanner.startsWith('<!--')) skipDelimited(scanner, '<!--', '-->')
    else if (scanner.startsWith('<![CDATA[')) {
      if (open.length === 0) fail(scanner, 'CDATA outside the root element')
      skipDelimited(scanner, '<![CDATA[', ']]>')
    } else if (scanner.startsWith('<?')) skipDelimited(scanner, '<?', '?>')
    else if (scanner.startsWith('</')) {
      scanner.position += 2
      const name = scanner.match(NAME) ?? fail(scanner, 'missing name in end tag')
      scanner.skipSpace()
      if (!scanner.startsWith('>')) fail(scanner, `unterminated end tag </${name}`)
      scanner.position += 1
      const expected = open.pop()
      if (expected !== name) fail(scanner, `</${name}> closes ${expected ? `<${expected}>` : 'nothing'}`)
    } else {
      if (open.length === 0 && rootSeen) fail(scanner, 'more than one root element')
      rootSeen = true
      const { name, selfClosing } = readStartTag(scanner)
      if (!selfClosing) open.push(name)
    }
  }
  if (open.length > 0) fail(scanner, `unclosed <${open.join('>, <')}>`)
  if (!rootSeen) fail(scanner, 'no root element')
}

export function wellFormednessProblem(xml: string): string | undefined {
  try {
    checkDocument(new Scanner(xml))
    return undefined
  } catch (error) {
    if (error instanceof NotWellFormed) return error.message
    throw error
  }
}
