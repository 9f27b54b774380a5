import { useCallback, useEffect, useMemo, useState } from "preact/hooks";
import { ApiClient } from "../api/client";
import type { Agent, Me, TicketSummary } from "../api/types";
import type { Authenticator, Session } from "../auth";
import { LanguageSwitch, matchLocale, storedLocale, useI18n } from "../i18n";
import { Inbox } from "./Inbox";
import { SignIn } from "./SignIn";
import { TicketView } from "./TicketView";
import { StateMessage } from "./ui";

/** ticketFromPath reads the open ticket from the address: /tickets/<id>. */
export function ticketFromPath(path: string): string | null {
  const m = /^\/tickets\/([^/]+)\/?$/.exec(path);
  return m ? decodeURIComponent(m[1]) : null;
}

export function App({ auth, apiBase = "" }: { auth: Authenticator; apiBase?: string }) {
  const { t } = useI18n();
  const [session, setSession] = useState<Session | null>(() => auth.sessions.get());
  const [ended, setEnded] = useState(false);

  useEffect(() => auth.sessions.subscribe(setSession), [auth]);

  const api = useMemo(
    () =>
      new ApiClient({
        baseUrl: apiBase,
        token: () => auth.token(),
        onUnauthorized: () => {
          if (auth.token()) setEnded(true);
          auth.expire();
        },
      }),
    [auth, apiBase],
  );

  if (!session) return <SignIn auth={auth} notice={ended ? t("app.sessionEnded") : undefined} />;
  return (
    <Console
      key={session.token}
      api={api}
      session={session}
      onSignOut={() => {
        setEnded(false);
        auth.signOut();
        history.replaceState(null, "", "/");
      }}
    />
  );
}

function Console({ api, session, onSignOut }: { api: ApiClient; session: Session; onSignOut: () => void }) {
  const { t, setLocale } = useI18n();
  const [me, setMe] = useState<Me | null>(null);
  const [openId, setOpenId] = useState<string | null>(() => ticketFromPath(location.pathname));
  const [replySignal, setReplySignal] = useState(0);
  const [changed, setChanged] = useState<TicketSummary | null>(null);
  const [agents, setAgents] = useState<Agent[]>([]);

  useEffect(() => {
    const ac = new AbortController();
    api
      .me(ac.signal)
      .then((m) => {
        setMe(m);
        // The agent's own language is the default until they pick one here.
        const l = matchLocale(m.language);
        if (l && !storedLocale()) setLocale(l, false);
      })
      .catch(() => {
        /* the header falls back to the session's email; a 401 has already signed out */
      });
    // The merchant's agents, for the assignee filter and for assigning. Without them the
    // console still works: "Me", "Unassigned" and the names the tickets carry stand in.
    api
      .listAgents(ac.signal)
      .then((l) => setAgents(l.agents ?? []))
      .catch(() => {});
    return () => ac.abort();
  }, [api, setLocale]);

  // Who the agent is: their id (the token's sub), never their email, which is only shown.
  const myId = me?.id ?? session.sub ?? "";

  useEffect(() => {
    const onPop = () => setOpenId(ticketFromPath(location.pathname));
    addEventListener("popstate", onPop);
    return () => removeEventListener("popstate", onPop);
  }, []);

  const open = useCallback((id: string) => {
    setOpenId(id);
    const path = `/tickets/${encodeURIComponent(id)}`;
    if (location.pathname !== path) history.pushState(null, "", path);
  }, []);

  // A merged ticket's id answers its survivor: follow it in place of the old id, in the
  // selection and the address (replaced, not pushed, so Back does not return to the old id).
  const moved = useCallback((survivor: string, from: string) => {
    setOpenId((cur) => (cur === from ? survivor : cur));
    if (ticketFromPath(location.pathname) === from) history.replaceState(null, "", `/tickets/${encodeURIComponent(survivor)}`);
  }, []);

  const close = useCallback(() => {
    setOpenId(null);
    history.pushState(null, "", "/");
  }, []);

  const reply = useCallback(() => setReplySignal((n) => n + 1), []);

  return (
    <div class="app">
      <header class="topbar">
        <div class="brand">
          <span class="brand-mark" aria-hidden="true">
            B
          </span>
          {t("app.name")}
          {me && <span class="merchant">{me.merchant.name}</span>}
        </div>
        <div class="topbar-right">
          <LanguageSwitch />
          <span class="agent" data-testid="agent" title={session.email}>
            <span class="avatar small" aria-hidden="true">
              {(me?.name || session.email || "?").charAt(0).toUpperCase()}
            </span>
            {me?.name || session.email}
          </span>
          <button type="button" class="btn ghost" data-testid="sign-out" onClick={onSignOut}>
            {t("app.signOut")}
          </button>
        </div>
      </header>
      <div class="workspace">
        <Inbox api={api} openId={openId} onOpen={open} onReply={reply} changed={changed} agents={agents} me={myId} />
        {openId ? (
          <TicketView
            api={api}
            id={openId}
            onClose={close}
            onChanged={setChanged}
            replySignal={replySignal}
            agents={agents}
            me={myId}
            onOpen={open}
            onMoved={moved}
          />
        ) : (
          <section class="ticket">
            <StateMessage kind="empty" title={t("ticket.none")} hint={t("ticket.noneHint")} />
          </section>
        )}
      </div>
    </div>
  );
}
