// Clients: the MCP clients on this machine (Claude Desktop, Cursor, ...) and whether they go through Warden.
export function ClientsScreen() {
  return (
    <div className="stack">
      <div className="screen-head">
        <div>
          <h1>Clients</h1>
          <p className="muted">The MCP clients on this computer, and which of their servers go through Warden.</p>
        </div>
      </div>
      <div className="panel empty">
        <h2>Protecting clients from here is coming</h2>
        <p>
          Until then, point a client at <code>warden connect &lt;server&gt;</code> as its server command, or at
          <code> http://127.0.0.1:&lt;port&gt;/mcp/&lt;server&gt;</code> with its token.
        </p>
      </div>
    </div>
  );
}
