// Audio-thread half of the capture tap: copies what flows through the tapped node, in chunks, to
// the page. Runs in the AudioWorkletGlobalScope, which has none of the DOM's types.
declare const currentFrame: number;
declare class AudioWorkletProcessor {
  readonly port: MessagePort;
}
declare function registerProcessor(name: string, ctor: new () => AudioWorkletProcessor): void;

const chunkFrames = 2048;

class CaptureTapProcessor extends AudioWorkletProcessor {
  private chunk = new Float32Array(chunkFrames);
  private filled = 0;
  private chunkStart = 0;

  process(inputs: Float32Array[][]): boolean {
    const input = inputs[0]?.[0];
    const n = input?.length ?? 128;
    if (this.filled === 0) this.chunkStart = currentFrame;
    // No input connected yet reads as silence, so the timeline has no holes.
    if (input) this.chunk.set(input, this.filled);
    this.filled += n;
    if (this.filled >= chunkFrames) {
      this.port.postMessage({ start: this.chunkStart, samples: this.chunk }, [this.chunk.buffer]);
      this.chunk = new Float32Array(chunkFrames);
      this.filled = 0;
    }
    return true;
  }
}

registerProcessor('whisperline-capture-tap', CaptureTapProcessor);
