// The files Warden keeps with conf (servers.json, settings.json, policy.json) each hold one JSON object.
// conf on its own reads `"text"`, `null` or `[]` as an empty store, and its next write replaces the file
// (a string even becomes {"0": ...}): such a file is refused instead, as one that is not JSON is.
/** The file's object; `T` is the shape the caller then checks (conf's store type). */
export function parseJsonObject<T extends object = Record<string, unknown>>(text: string): T {
  const value: unknown = JSON.parse(text);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    const what = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
    throw new Error(`it holds ${what}, not a JSON object`);
  }
  return value as T;
}
