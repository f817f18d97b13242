// A tiny XML writer for FreeSWITCH configuration files: every value is escaped, and nothing is written
// that FreeSWITCH's line-based preprocessor would act on by accident.
export interface XmlElement {
  kind: 'element'
  name: string
  attributes: Record<string, string | number>
  children: XmlNode[]
}

export interface XmlComment {
  kind: 'comment'
  lines: string[]
}

export type XmlNode = XmlElement | XmlComment

export function element(name: string, attributes: Record<string, string | number> = {}, children: XmlNode[] = []): XmlElement {
  return { kind: 'element', name, attributes, children }
}

// The preprocessor reads the raw file line by line before any XML parsing: it executes a pre-process
// instruction and expands `$${...}` even inside a comment, and drops every line holding an include tag.
const FORBIDDEN_IN_COMMENTS = [/--/, /x-pre-process/i, /<\/?include>/, /\$\$\{/]

export function comment(...lines: string[]): XmlComment {
  for (const line of lines) {
    const forbidden = FORBIDDEN_IN_COMMENTS.find((pattern) => pattern.test(line))
    if (forbidden) throw new Error(`XML comment must not match ${forbidden.source}: ${line}`)
  }
  return { kind: 'comment', lines }
}

function escapeAttribute(value: string | number): string {
  return String(value).replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;')
}

function renderNode(node: XmlNode, depth: number): string[] {
  const indent = '  '.repeat(depth)
  if (node.kind === 'comment') {
    if (node.lines.length === 1) return [`${indent}<!-- ${node.lines[0] ?? ''} -->`]
    return [`${indent}<!--`, ...node.lines.map((line) => `${indent}  ${line}`), `${indent}-->`]
  }
  const attributes = Object.entries(node.attributes)
    .map(([name, value]) => ` ${name}="${escapeAttribute(value)}"`)
    .join('')
  if (node.children.length === 0) return [`${indent}<${node.name}${attributes}/>`]
  return [
    `${indent}<${node.name}${attributes}>`,
    ...node.children.flatMap((child) => renderNode(child, depth + 1)),
    `${indent}</${node.name}>`,
  ]
}

/** A file FreeSWITCH includes into freeswitch.xml: its content wrapped in an include element. */
export function includeFile(...children: XmlNode[]): string {
  return renderNode(element('include', {}, children), 0).join('\n') + '\n'
}

/** A stand-alone XML document (freeswitch.xml itself). */
export function xmlDocument(root: XmlElement): string {
  return ['<?xml version="1.0"?>', ...renderNode(root, 0)].join('\n') + '\n'
}
