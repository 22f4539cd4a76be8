// The whole API: every domain's methods and events in one table. A method added to a domain file and
// listed here is carried by both transports (Electron preload and web bridge) with no extra glue.
import { approvalEvents, approvalMethods } from './approvals.js';
import { auditEvents, auditMethods } from './audit.js';
import { clientEvents, clientMethods } from './clients.js';
import { managedEvents, managedMethods } from './managed.js';
import { serverEvents, serverMethods } from './servers.js';

export const methods = {
  ...serverMethods,
  ...approvalMethods,
  ...auditMethods,
  ...clientMethods,
  ...managedMethods,
};

export const events = {
  ...serverEvents,
  ...approvalEvents,
  ...auditEvents,
  ...clientEvents,
  ...managedEvents,
};

export type Methods = typeof methods;
export type MethodName = keyof Methods;
export type Events = typeof events;
export type EventName = keyof Events;
