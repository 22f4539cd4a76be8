// How a calling client is named wherever a person reads it (cards, Activity, the CLI): the name and
// version it claimed at initialize, which it may invent, beside the id its token proves.
export interface ClientNaming {
  id: string;
  name?: string;
  version?: string;
}

/**
 * `Claude Desktop 1.2 (claude-desktop)`, or without the version where room is short; the id alone when
 * the client claimed no name, or its id.
 */
export function clientLabel(client: ClientNaming, { version = true }: { version?: boolean } = {}): string {
  // Strings only: records written before Warden checked the claim may hold anything there.
  const name = typeof client.name === 'string' ? client.name : undefined;
  const claimed = typeof client.version === 'string' ? client.version : undefined;
  if (!name || name === client.id) return client.id;
  return `${name}${version && claimed ? ` ${claimed}` : ''} (${client.id})`;
}
