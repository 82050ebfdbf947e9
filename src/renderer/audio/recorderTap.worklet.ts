// Audio-thread half of a call recording: copies every channel of its input (customer, agent,
// supervisor, one per channel of a ChannelMerger) to the page in chunks of one audio clock span,
// so the tracks stay sample-aligned. Runs in the AudioWorkletGlobalScope, without the DOM's types.
declare const currentFrame: number;
declare class AudioWorkletProcessor {
  readonly port: MessagePort;
  constructor(options?: { processorOptions?: { channels?: number } });
}
// A module, so these declarations stay out of the capture tap's (another worklet) scope.
export {};
declare function registerProcessor(name: string, ctor: new (options?: { processorOptions?: { channels?: number } }) => AudioWorkletProcessor): void;

const chunkFrames = 4096;

class RecorderTapProcessor extends AudioWorkletProcessor {
  private readonly channels: number;
  private planes: Float32Array[];
  private filled = 0;
  private chunkStart = 0;

  constructor(options?: { processorOptions?: { channels?: number } }) {
    super(options);
    this.channels = options?.processorOptions?.channels ?? 1;
    this.planes = this.fresh();
  }

  private fresh(): Float32Array[] {
    return Array.from({ length: this.channels }, () => new Float32Array(chunkFrames));
  }

  process(inputs: Float32Array[][]): boolean {
    const input = inputs[0] ?? [];
    const n = input[0]?.length ?? 128;
    if (this.filled === 0) this.chunkStart = currentFrame;
    // A channel with nothing connected reads as silence (the arrays are zeroed), so no hole opens.
    for (let c = 0; c < this.channels; c++) if (input[c]) this.planes[c].set(input[c], this.filled);
    this.filled += n;
    if (this.filled >= chunkFrames) {
      this.port.postMessage({ start: this.chunkStart, planes: this.planes }, this.planes.map((p) => p.buffer));
      this.planes = this.fresh();
      this.filled = 0;
    }
    return true;
  }
}

registerProcessor('whisperline-recorder', RecorderTapProcessor);
