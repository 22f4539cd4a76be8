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
  if (!client.name || client.name === client.id) return client.id;
  return `${client.name}${version && client.version ? ` ${client.version}` : ''} (${client.id})`;
}
