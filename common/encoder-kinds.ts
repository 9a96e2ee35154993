// Which H.264 encoders are hardware ones: the one source for the engine's probe order and encoder
// arguments (main/engine), the ffmpeg check (main/engine/ffmpeg-locator.ts, probe-cli.ts), the
// core's probe report (main/core/engine-adapter.ts) and the console's "hardware / software /
// fallback" reading (renderer/console/studio-views.ts).

/** The hardware encoders the engine knows how to drive (each has its low-latency arguments). */
export const HARDWARE_ENCODERS = ['h264_nvenc', 'h264_qsv', 'h264_amf', 'h264_videotoolbox', 'h264_vaapi', 'h264_mf'] as const;
export type HardwareEncoder = (typeof HARDWARE_ENCODERS)[number];
/** The software encoder every machine has. */
export const SOFTWARE_ENCODER = 'libx264';
export type VideoEncoder = HardwareEncoder | typeof SOFTWARE_ENCODER;

/** Families of hardware encoders by ffmpeg name (also ones the engine does not drive, e.g. OBS's). */
const HARDWARE_FAMILY = /(nvenc|qsv|vaapi|videotoolbox|amf|_mf$|v4l2m2m|omx)/;

export function isHardwareEncoderName(name: string): boolean {
  return (HARDWARE_ENCODERS as readonly string[]).includes(name) || HARDWARE_FAMILY.test(name);
}

/** An H.264 encoder by ffmpeg name: libx264 or one of the `h264_*` hardware ones. */
export function isH264EncoderName(name: string): boolean {
  return name === SOFTWARE_ENCODER || name.startsWith('h264_');
}
