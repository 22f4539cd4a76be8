// How the browser UI proves its session to the web bridge. The launch link (`/ui/?token=<one-time>`)
// loads the page; the page takes the token out of the address bar and spends it with a same-origin
// POST to REDEEM_PATH, whose answer carries the session secret. The secret is never in a URL (a
// browser keeps every address it visits in its history, on disk); the page keeps it in the tab's
// sessionStorage and sends it in a header with every API request and the event stream. Never a
// cookie: a browser sends a host's cookies to every port of that host, so any other local server the
// person visits would get it.
export const SESSION_HEADER = 'x-warden-session';
/** POST {"token": "<launch token>"} -> {"session": "<secret>"}; 401 when the token is spent or expired. */
export const REDEEM_PATH = '/api/session';
