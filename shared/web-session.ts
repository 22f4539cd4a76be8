// How the browser UI proves its session to the web bridge. The launch link is spent for a session
// secret that the bridge hands to the page once, in the URL fragment (never sent to any server); the
// page keeps it in the tab's sessionStorage and sends it in a header with every API request and the
// event stream. Never a cookie: a browser sends a host's cookies to every port of that host, so any
// other local server the person visits would get it.
export const SESSION_HEADER = 'x-warden-session';
/** `/ui/#session=<secret>`: where the bridge puts the secret after spending a launch link. */
export const SESSION_FRAGMENT = 'session';
