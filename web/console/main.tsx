import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { onSignedOut } from "./api";
import { navigate, useView } from "./router";
import { clearSession, loadSession, type Session } from "./session";
import { viewsFor } from "./views";
import { SignIn } from "./views/sign-in";

function App() {
  const [session, setSession] = useState<Session | null>(loadSession);
  const [notice, setNotice] = useState<string | null>(null);
  const view = useView();

  const signOut = (why: string | null) => {
    clearSession();
    setSession(null);
    setNotice(why);
  };
  // A call answered 401: the key was revoked, expired or deleted since sign-in.
  useEffect(
    () => onSignedOut(() => signOut("Your key no longer works (revoked or expired): you were signed out.")),
    [],
  );

  if (!session) {
    return (
      <SignIn
        notice={notice}
        onSignedIn={(s) => {
          setNotice(null);
          setSession(s);
        }}
      />
    );
  }
  const allowed = viewsFor(session.me);
  const active = allowed.find((v) => v.id === view) ?? allowed[0];
  if (!active) return null;
  const who = session.me.user ? session.me.user.email : "Operator (ADMIN_API_KEY)";
  const Active = active.component;
  return (
    <div class="shell">
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <span class="brand">Switchboard</span>
        <span class="who">
          {who}
          {session.me.is_admin ? " · admin" : ""}
        </span>
        <a href="/docs">API docs</a>
        <button type="button" onClick={() => signOut("Signed out.")}>
          Sign out
        </button>
      </header>
      <nav aria-label="Console">
        <ul>
          {allowed.map((v) => (
            <li key={v.id}>
              <a
                href={`/console/${v.id}`}
                aria-current={v.id === active.id ? "page" : undefined}
                onClick={(e) => {
                  e.preventDefault();
                  navigate(v.id);
                }}
              >
                {v.title}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" tabIndex={-1}>
        <h1>{active.title}</h1>
        <Active session={session} />
      </main>
    </div>
  );
}

render(<App />, document.getElementById("app") as HTMLElement);
