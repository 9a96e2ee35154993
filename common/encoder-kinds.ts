// Which H.264 encoders are hardware ones: the one source for the engine's probe order and encoder
// arguments (main/engine) and the console's "hardware / software / fallback" reading (renderer).

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
