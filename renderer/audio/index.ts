// The link-mic microphone: echo-cancelled capture to 48 kHz PCM frames, device following, and the
// report of what processing is really active.
export { MicCapture, type MicCaptureOptions, type MicCaptureEvents, type MicCaptureState, type MicDeviceChange } from './mic-capture';
export {
  LINK_MIC_PROCESSING,
  RAW_PROCESSING,
  processingFromEnableAEC,
  micConstraints,
  readActiveProcessing,
  type AudioProcessingFlags,
  type ActiveProcessingReport,
  type AppliedFlag,
} from './audio-processing';
export { LINK_MIC_SAMPLE_RATE, floatToInt16, frameBytes, type PcmFrame, type PcmFrameSink, type PcmSampleFormat } from './pcm-frame';
export { PcmFramePacker, type PcmFramePackerOptions } from './pcm-frame-packer';
export { LinearResampler } from './linear-resampler';
export { studioAudioSink } from './studio-audio-sink';
export { AudioOutputFollower, type AudioOutputChange, type AudioOutputFollowerEvents } from './audio-output-follower';
