// Whether a host name or address stays on this machine (the 127.0.0.0/8 range, ::1, localhost).
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}
