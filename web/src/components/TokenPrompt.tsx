/** Shown once the API answered 401: the token goes to sessionStorage and every request after. */
import { useState, type FormEvent } from 'react';
import { setToken } from '../api';

export function TokenPrompt() {
  const [value, setValue] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (value.trim()) setToken(value.trim());
  };
  return (
    <form className="card token" onSubmit={submit} aria-labelledby="token-title">
      <h2 id="token-title">API token</h2>
      <p>This server needs its API token (the contents of the file given to <code>trailscope serve --token-file</code>). It is kept for this browser tab only.</p>
      <label>
        Token
        <input type="password" autoComplete="off" autoFocus value={value} onChange={(e) => setValue(e.target.value)} name="token" />
      </label>
      <button type="submit">Use token</button>
    </form>
  );
}
