// Which permission requests the app grants: microphone, camera and screen capture, for our own
// page only. Everything else (notifications, geolocation, MIDI, HID, …) is denied.
export interface PermissionRequest {
  readonly permission: string;
  readonly requestingUrl: string;
  readonly isMainFrame: boolean;
  /** For 'media': 'audio' and/or 'video'. */
  readonly mediaTypes?: readonly string[];
}

export function allowPermission(request: PermissionRequest, isOurPage: (url: string) => boolean): boolean {
  if (!isOurPage(request.requestingUrl) || !request.isMainFrame) return false;
  if (request.permission === 'media') return (request.mediaTypes ?? []).every((type) => type === 'audio' || type === 'video');
  // Screen capture comes through setDisplayMediaRequestHandler; the permission check names it so.
  return request.permission === 'display-capture' || request.permission === 'speaker-selection';
}
