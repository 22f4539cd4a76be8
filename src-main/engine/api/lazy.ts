// Handlers whose module is loaded on the first call of any of them: a domain the engine rarely needs
// (client config files) should not cost memory in every idle engine.
import type { Handlers, MethodTable } from '../../../shared/api/contract.js';

export function lazyHandlers<T extends MethodTable>(table: T, load: () => Promise<Handlers<T>>): Handlers<T> {
  let loaded: Promise<Handlers<T>> | undefined;
  const handlers: Partial<Record<keyof T, (input: never) => Promise<unknown>>> = {};
  for (const name of Object.keys(table) as Array<keyof T>) {
    handlers[name] = async (input: never) => {
      if (!loaded) {
        loaded = load();
        loaded.catch(() => {
          loaded = undefined; // a failed load is tried again at the next call
        });
      }
      return (await loaded)[name](input);
    };
  }
  return handlers as Handlers<T>;
}
