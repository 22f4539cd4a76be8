// Add a server: a command Warden starts (stdio) or a URL it connects to (Streamable HTTP).
import { useState, type FormEvent } from 'react';
import { Tier } from '../../shared/words.js';
import { useAction, useApi } from '../api/hooks.js';
import { ErrorNote } from '../components/ErrorNote.js';

/** Splits a command line the way a shell would for plain words and quoted strings. */
export function splitArgs(line: string): string[] {
  const out: string[] = [];
  const re = /"((?:\\.|[^"\\])*)"|'([^']*)'|(\S+)/g;
  for (const m of line.matchAll(re)) out.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : (m[2] ?? m[3] ?? ''));
  return out;
}

export function AddServerForm({ onDone }: { onDone(): void }) {
  const api = useApi();
  const [name, setName] = useState('');
  const [tier, setTier] = useState<Tier>('standard');
  const [transport, setTransport] = useState<'stdio' | 'http'>('stdio');
  const [commandLine, setCommandLine] = useState('');
  const [url, setUrl] = useState('');
  const add = useAction(async () => {
    if (transport === 'stdio') {
      const [command, ...args] = splitArgs(commandLine);
      return api.client['servers.add']({ name, tier, transport: 'stdio', command: command ?? '', args });
    }
    return api.client['servers.add']({ name, tier, transport: 'http', url });
  });
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (await add.run()) onDone();
  };
  return (
    <form className="panel panel-body stack" onSubmit={submit} aria-label="Add a server">
      <div className="row" style={{ alignItems: 'flex-end' }}>
        <label className="field">
          Name
          <input type="text" required value={name} onChange={(e) => setName(e.target.value)} placeholder="github" autoFocus />
        </label>
        <label className="field">
          Tier
          <select value={tier} onChange={(e) => setTier(e.target.value as Tier)}>
            {Tier.options.map((t) => (
              <option key={t}>{t}</option>
            ))}
          </select>
        </label>
        <fieldset className="row" style={{ padding: '4px 10px' }}>
          <legend>Transport</legend>
          <label className="check">
            <input type="radio" name="transport" checked={transport === 'stdio'} onChange={() => setTransport('stdio')} /> Command (stdio)
          </label>
          <label className="check">
            <input type="radio" name="transport" checked={transport === 'http'} onChange={() => setTransport('http')} /> URL (HTTP)
          </label>
        </fieldset>
      </div>
      {transport === 'stdio' ? (
        <label className="field">
          Command
          <span className="hint">The command and its arguments, as you would type them in a terminal.</span>
          <input type="text" required value={commandLine} onChange={(e) => setCommandLine(e.target.value)} placeholder="npx -y @modelcontextprotocol/server-memory" />
        </label>
      ) : (
        <label className="field">
          URL
          <input type="text" required value={url} onChange={(e) => setUrl(e.target.value)} placeholder="https://example.com/mcp" />
        </label>
      )}
      <ErrorNote error={add.error} />
      <div className="row">
        <button type="submit" className="primary" disabled={add.busy}>
          Add server
        </button>
        <button type="button" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}
