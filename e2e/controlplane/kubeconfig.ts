import { readFile, writeFile } from 'node:fs/promises'
import type { CertPair } from './certs.ts'

export interface KubeconfigOptions {
  readonly server: string
  readonly caCertPath: string
  readonly client: CertPair
  readonly userName: string
}

/** Writes a single-context kubeconfig with the certs embedded, so it stays valid if copied. */
export async function writeKubeconfig(path: string, options: KubeconfigOptions): Promise<void> {
  const [ca, cert, key] = await Promise.all([
    readFile(options.caCertPath),
    readFile(options.client.certPath),
    readFile(options.client.keyPath),
  ])
  const base64 = (data: Buffer): string => data.toString('base64')
  const kubeconfig = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'e2e', cluster: { server: options.server, 'certificate-authority-data': base64(ca) } }],
    users: [
      {
        name: options.userName,
        user: { 'client-certificate-data': base64(cert), 'client-key-data': base64(key) },
      },
    ],
    contexts: [{ name: 'e2e', context: { cluster: 'e2e', user: options.userName } }],
    'current-context': 'e2e',
    preferences: {},
  }
  // JSON is YAML, which is all kubectl and client libraries need.
  await writeFile(path, JSON.stringify(kubeconfig, null, 2) + '\n', { mode: 0o600 })
}
