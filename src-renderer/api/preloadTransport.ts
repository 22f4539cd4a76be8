// The desktop transport: the preload's `window.warden` (contextBridge over ipcRenderer.invoke).
import { ApiRequestError, type PreloadBridge, type Transport } from './transport.js';

export function createPreloadTransport(bridge: PreloadBridge): Transport {
  return {
    kind: 'desktop',
    async call(method, input) {
      const answer = await bridge.invoke(method, input ?? {});
      if (!answer.ok) throw new ApiRequestError(answer.error.code, answer.error.message);
      return answer.result;
    },
    subscribe(listener) {
      return bridge.subscribe(listener);
    },
    onConnection(listener) {
      // IPC lives as long as the window: it is open from the start.
      listener('open');
      return () => {};
    },
  };
}
