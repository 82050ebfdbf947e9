/**
 * Runs the WebRTC stack once before the first real call: the first peer connection of a page pays for
 * enumerating network interfaces, loading the audio codecs and generating a DTLS certificate, which
 * made a page's first supervision join slower than the next ones. A throwaway connection with an
 * audio transceiver, an offer and the first candidate is enough; nothing is sent anywhere.
 */
export async function warmUpWebRtc(configuration: RTCConfiguration, ceilingMs = 2000): Promise<void> {
  let pc: RTCPeerConnection | null = null;
  try {
    pc = new RTCPeerConnection(configuration);
    const firstCandidate = new Promise<void>((resolve) => {
      pc!.addEventListener('icecandidate', () => resolve());
      setTimeout(resolve, ceilingMs);
    });
    pc.addTransceiver('audio', { direction: 'sendrecv' });
    await pc.setLocalDescription(await pc.createOffer());
    await firstCandidate;
  } catch {
    // Only an optimisation: the real call reports its own errors.
  } finally {
    pc?.close();
  }
}
