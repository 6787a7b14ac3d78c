import { test as base, expect } from "@playwright/test";

/**
 * Every test fails if a page of its browser throws an uncaught error (a panic in the
 * WebAssembly shows up here): the no-JavaScript fallbacks must never hide a dead client.
 */
export const test = base.extend<{ pageErrors: string[] }>({
  pageErrors: [
    async ({ context, browser }, use) => {
      const errors: string[] = [];
      const watch = (p: import("@playwright/test").Page) => p.on("pageerror", (e) => errors.push(`${p.url()}: ${e.message}`));
      context.on("page", watch);
      // Contexts a test opens itself (two people at once) are watched too.
      const original = browser.newContext.bind(browser);
      browser.newContext = async (...args) => {
        const c = await original(...args);
        c.on("page", watch);
        return c;
      };
      await use(errors);
      browser.newContext = original;
      expect(errors, "uncaught errors in the page").toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };
