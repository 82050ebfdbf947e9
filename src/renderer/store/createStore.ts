import { useEffect, useState, useSyncExternalStore } from 'react';

export interface Store<T> {
  get(): T;
  update(fn: (state: T) => T): void;
  subscribe(listener: () => void): () => void;
}

/** A minimal one-way store: SIP and audio events update it, React views read it. */
export function createStore<T>(initial: T): Store<T> {
  let state = initial;
  const listeners = new Set<() => void>();
  return {
    get: () => state,
    update(fn) {
      const next = fn(state);
      if (next === state) return;
      state = next;
      for (const l of listeners) l();
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

export function useStore<T, S>(store: Store<T>, select: (state: T) => S): S {
  return useSyncExternalStore(store.subscribe, () => select(store.get()));
}

/**
 * A store read at most once per animation frame: a board of hundreds gets tens of NOTIFYs a
 * second, each its own task; rendering for each would redo the filtering and sorting every time.
 */
export function useFrameStore<T, S>(store: Store<T>, select: (state: T) => S): S {
  const [value, setValue] = useState(() => select(store.get()));
  useEffect(() => {
    let frame = 0;
    const read = () => {
      frame = 0;
      setValue(() => select(store.get()));
    };
    const unsubscribe = store.subscribe(() => {
      if (!frame) frame = requestAnimationFrame(read);
    });
    read();
    return () => {
      unsubscribe();
      if (frame) cancelAnimationFrame(frame);
    };
  }, [store]); // eslint-disable-line react-hooks/exhaustive-deps
  return value;
}
