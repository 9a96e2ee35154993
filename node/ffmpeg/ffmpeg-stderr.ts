// Reading ffmpeg's stderr: the one line that says what went wrong, and RTMP server refusals.

const ERROR_PATTERN =
  /error|cannot|could not|couldn't|failed|invalid|unknown|unable|not found|no such|refused|denied|not supported|unsupported|no va display|not available|no device|not implemented|incorrect/i;
/** Lines ffmpeg prints after the real cause; used only when nothing more specific exists. */
const GENERIC_PATTERN = /^(Conversion failed!|Error initializing output stream|Error while opening encoder|Error opening output file|Error opening output files|Exiting normally|Error while filtering|Error while processing)/i;

/** `[h264_nvenc @ 0x55d0c8] Cannot load libcuda.so.1` -> `h264_nvenc: Cannot load libcuda.so.1`. */
export function tidyStderrLine(line: string): string {
  return line.replace(/^\[([^\]@]+?) @ (0x)?[0-9a-fA-F]+\]\s*/, '$1: ').trim();
}

/** The most specific error line ffmpeg printed ('' when it printed none). */
export function pickErrorLine(lines: readonly string[]): string {
  const candidates = lines.map(tidyStderrLine).filter((line) => line !== '' && ERROR_PATTERN.test(line));
  const specific = candidates.find((line) => !GENERIC_PATTERN.test(line.replace(/^[^:]+: /, '')) && !GENERIC_PATTERN.test(line));
  return specific ?? candidates[candidates.length - 1] ?? '';
}

/**
 * The reason an RTMP server gave for refusing a publish, when ffmpeg printed one:
 * librtmp-less ffmpeg prints `[rtmp @ 0x…] Server error: <description>` for `_error` results and
 * `onStatus` with level `error` (e.g. NetStream.Publish.BadName).
 */
export function findServerRefusal(lines: readonly string[]): string | undefined {
  for (const line of lines) {
    const match = /Server error:\s*(.*)$/i.exec(line);
    if (match) return (match[1] ?? '').trim() || 'the server refused the publish';
  }
  for (const line of lines) {
    const match = /(NetStream\.Publish\.(BadName|Rejected|Denied|Unauthorized)[^\s]*)/i.exec(line);
    if (match) return match[1];
  }
  return undefined;
}

/** True when ffmpeg's output says the TCP connection itself could not be made. */
export function looksLikeConnectFailure(lines: readonly string[]): boolean {
  return lines.some((line) => /Connection refused|Cannot open connection|Connection timed out|No route to host|Network is unreachable|Failed to resolve/i.test(line));
}
