// The desktop window's preload (sandboxed, context-isolated): exposes Warden's one API to the renderer as
// `window.warden`. It carries any method of the contract: the main process checks the name against the
// contract's table and validates the input, so a method added to shared/api works here with no glue.
// Built to CommonJS (dist/src-main/electron/preload.cjs), as a sandboxed preload must be.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';

contextBridge.exposeInMainWorld('warden', {
  invoke: (method: string, input: unknown) => ipcRenderer.invoke('warden:invoke', String(method), input),
  subscribe: (listener: (name: string, data: unknown) => void) => {
    const handler = (_event: IpcRendererEvent, name: string, data: unknown) => listener(name, data);
    ipcRenderer.on('warden:event', handler);
    return () => {
      ipcRenderer.removeListener('warden:event', handler);
    };
  },
  onOpenApproval: (listener: (approvalId: string) => void) => {
    const handler = (_event: IpcRendererEvent, id: string) => listener(id);
    ipcRenderer.on('warden:open-approval', handler);
    return () => {
      ipcRenderer.removeListener('warden:open-approval', handler);
    };
  },
});
