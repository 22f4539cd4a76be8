// What the e2e tests' page functions (page.evaluate, waitForFunction) use of the browser: they run in
// the page, but are type-checked with the tests, which have no DOM library.
declare const sessionStorage: { getItem(key: string): string | null };
