// Loopback rules, one place for server/ and main/: whether a host stays on this machine, and which
// address reaches a server bound to a wildcard from this machine.

/** Whether a host name or address stays on this machine (the 127.0.0.0/8 range, ::1, localhost). */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** The address that reaches a server bound to `host` from this machine: loopback for a wildcard bind. */
export function localAddressOf(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::') return '::1';
  return host;
}
